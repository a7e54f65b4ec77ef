// The bolt and the door of one Zigbee lock: state from lockState / doorState (reports, reads and
// operation events), what the lock can do remotely (lockDoor / unlockDoor, unless it wants a PIN for
// RF operation), and the wait for the state report that confirms a remote operation.
import type { DriverEventListener, LockControls, LockState } from "../contract.js";
import { LockReports } from "../lock-reports.js";
import { numericAttribute } from "./decode.js";
import { DoorState, LockState as ZclLockState } from "./door-lock.js";
import type { LockProfile } from "./profile-store.js";

/** After lockDoorRsp, how long to wait for the lockState report before reading the attribute. */
export const LOCK_REPORT_WAIT_MS = 1_500;

function lockedFrom(value: number | undefined): boolean | null | undefined {
  if (value === undefined) return undefined;
  return value === ZclLockState.LOCKED ? true : value === ZclLockState.UNLOCKED ? false : null;
}

function doorOpenFrom(value: number | undefined): boolean | null | undefined {
  if (value === undefined) return undefined;
  // Jammed, forced open and "unspecified error" say nothing reliable about the door itself.
  return value === DoorState.OPEN ? true : value === DoorState.CLOSED ? false : null;
}

export class ZigbeeDoor {
  readonly reports: LockReports;

  constructor(
    radioId: string,
    emit: DriverEventListener,
    private readonly profile: () => LockProfile,
    private readonly learn: (change: Partial<LockProfile>) => void,
  ) {
    this.reports = new LockReports(radioId, emit);
  }

  controls(): LockControls {
    const profile = this.profile();
    return { remoteLock: true, remoteUnlock: profile.rfNeedsPin !== true, doorSensor: profile.doorSensor === true };
  }

  /** lockState / doorState from a report (or read response) of the Door Lock cluster. */
  fromAttributes(data: unknown, how: "report" | "read"): LockState {
    const locked = lockedFrom(numericAttribute(data, "lockState"));
    const doorOpen = doorOpenFrom(numericAttribute(data, "doorState"));
    if (doorOpen !== undefined && this.profile().doorSensor !== true) this.learn({ doorSensor: true });
    this.reports.reported({ ...(locked !== undefined ? { locked } : {}), ...(doorOpen !== undefined ? { doorOpen } : {}) }, how);
    return this.reports.state;
  }

  /** The lock answered a read without doorState: it has no door sensor. */
  noDoorSensor(): void {
    if (this.profile().doorSensor !== false) this.learn({ doorSensor: false });
  }

  dispose(): void {
    this.reports.dispose();
  }
}
