// The bolt, the door sensor and the body of a simulated Zigbee lock: lockDoor / unlockDoor answered
// from the shared door mechanism (../../sim/door-mechanism.ts), and what Yale-style Zigbee locks send
// unprompted, as real frames: an operation event notification for every operation (and for a refused
// code), lockState / doorState attribute reports, genAlarms for a jam, a keypad lockout, a removed
// escutcheon and a low battery, and batteryPercentageRemaining reports.
import { Zcl } from "zigbee-herdsman";
import { DoorMechanism, LOW_BATTERY_PERCENT, type DoorReporter, type DoorState as BodyState, type OperationSource } from "../../sim/door-mechanism.js";
import {
  ALARMS,
  BATTERY_ALARMS,
  DOOR_LOCK,
  DoorLockAlarm,
  DoorLockStatus,
  DoorState,
  EventSource,
  LockState,
  OperationEvent,
  POWER_CFG,
  toZigbeeLocalTime,
} from "../door-lock.js";

/** How the door sends a frame: the virtual lock's own sender (endpoint, cluster, command, payload, tsn, global). */
export type DoorSend = (endpoint: number, cluster: string, command: string, payload: unknown, tsn?: number, global?: boolean) => void;

/** What a simulated lock's body keeps across restarts. */
export interface SavedBody {
  readonly door: BodyState;
  readonly battery: number;
}

export interface VirtualDoorOptions {
  readonly endpoint: number;
  readonly saved: SavedBody;
  readonly autoRelockMs: number;
  readonly isJammed: () => boolean;
  readonly send: DoorSend;
  readonly persist: () => void;
}

const NO_PIN = Buffer.alloc(0);
/** The "no user" user id of operation events. */
const NO_USER = 0xffff;

function operation(locked: boolean, source: OperationSource): { code: number; source: number } {
  switch (source) {
    case "rf":
      return { code: locked ? OperationEvent.LOCK : OperationEvent.UNLOCK, source: EventSource.RF };
    case "keypad":
      return { code: locked ? OperationEvent.LOCK : OperationEvent.UNLOCK, source: EventSource.KEYPAD };
    case "keypad_button":
      return { code: OperationEvent.ONE_TOUCH_LOCK, source: EventSource.KEYPAD };
    case "thumb_turn":
      return { code: locked ? OperationEvent.MANUAL_LOCK : OperationEvent.MANUAL_UNLOCK, source: EventSource.MANUAL };
    case "auto":
      return { code: OperationEvent.AUTO_LOCK, source: EventSource.INDETERMINATE };
  }
}

export class VirtualDoor implements DoorReporter {
  readonly mechanism: DoorMechanism;
  private batteryLevel: number;
  /** While answering a command, the lock's own frames wait until the answer is out. */
  private held: Array<() => void> | null = null;

  constructor(private readonly o: VirtualDoorOptions) {
    this.batteryLevel = o.saved.battery;
    this.mechanism = new DoorMechanism({ initial: o.saved.door, autoRelockMs: o.autoRelockMs, isJammed: o.isJammed, report: this });
  }

  /** Door Lock attributes this module answers for. */
  attributes(): Record<string, number> {
    return {
      lockState: this.mechanism.locked ? LockState.LOCKED : LockState.UNLOCKED,
      doorState: this.mechanism.doorOpen ? DoorState.OPEN : DoorState.CLOSED,
      autoRelockTime: Math.round(this.o.autoRelockMs / 1000),
    };
  }

  /** batteryPercentageRemaining, in half percent. */
  batteryAttribute(): number {
    return this.batteryLevel * 2;
  }

  saved(): SavedBody {
    return { door: { locked: this.mechanism.locked, doorOpen: this.mechanism.doorOpen }, battery: this.batteryLevel };
  }

  /** lockDoor / unlockDoor: the response first, then what the lock reports about the operation. */
  rfCommand(endpoint: number, locked: boolean, tsn: number): void {
    this.held = [];
    const moved = this.mechanism.operate(locked, "rf");
    const held = this.held;
    this.held = null;
    this.o.send(endpoint, DOOR_LOCK, locked ? "lockDoorRsp" : "unlockDoorRsp", { status: moved ? DoorLockStatus.SUCCESS : DoorLockStatus.GENERAL_FAILURE }, tsn);
    for (const frame of held) frame();
  }

  tamper(): void {
    this.alarm(DoorLockAlarm.FRONT_ESCUTCHEON_REMOVED, DOOR_LOCK);
  }

  battery(level: number): void {
    const before = this.batteryLevel;
    this.batteryLevel = level;
    this.o.persist();
    this.report(POWER_CFG, "batteryPercentageRemaining", level * 2);
    if (level < LOW_BATTERY_PERCENT && before >= LOW_BATTERY_PERCENT) this.alarm(BATTERY_ALARMS.FIRST, POWER_CFG);
  }

  dispose(): void {
    this.mechanism.dispose();
  }

  // ---- DoorReporter ---------------------------------------------------------------------------

  operated(locked: boolean, source: OperationSource, slot: number | null): void {
    const { code, source: src } = operation(locked, source);
    this.operationEvent(code, src, source === "keypad" && slot !== null ? slot : NO_USER);
  }

  jammed(): void {
    this.alarm(DoorLockAlarm.DEADBOLT_JAMMED, DOOR_LOCK);
  }

  /** The doorState report goes out with the state change (changed()). */
  doorChanged(): void {}

  denied(slot: number | null): void {
    if (slot === null) this.operationEvent(OperationEvent.UNLOCK_FAILURE_INVALID_PIN, EventSource.KEYPAD, NO_USER);
    else this.operationEvent(OperationEvent.UNLOCK_FAILURE_INVALID_SCHEDULE, EventSource.KEYPAD, slot);
  }

  keypadLockedOut(): void {
    this.alarm(DoorLockAlarm.WRONG_CODE_ENTRY_LIMIT, DOOR_LOCK);
  }

  changed(state: BodyState): void {
    this.o.persist();
    this.reportAttributes(DOOR_LOCK, { lockState: state.locked ? LockState.LOCKED : LockState.UNLOCKED, doorState: state.doorOpen ? DoorState.OPEN : DoorState.CLOSED });
  }

  // ---- frames ---------------------------------------------------------------------------------

  private out(frame: () => void): void {
    if (this.held) this.held.push(frame);
    else frame();
  }

  private operationEvent(code: number, source: number, userId: number): void {
    this.out(() =>
      this.o.send(this.o.endpoint, DOOR_LOCK, "operationEventNotification", {
        opereventsrc: source,
        opereventcode: code,
        userid: userId,
        pin: NO_PIN,
        zigbeelocaltime: toZigbeeLocalTime(new Date()),
        data: "",
      }),
    );
  }

  private alarm(code: number, cluster: string): void {
    const clusterId = cluster === POWER_CFG ? Zcl.Clusters.genPowerCfg.ID : Zcl.Clusters.closuresDoorLock.ID;
    this.out(() => this.o.send(this.o.endpoint, ALARMS, "alarm", { alarmcode: code, clusterid: clusterId }));
  }

  private report(cluster: string, attribute: string, value: number): void {
    this.reportAttributes(cluster, { [attribute]: value });
  }

  private reportAttributes(cluster: string, values: Record<string, number>): void {
    const definition = cluster === POWER_CFG ? Zcl.Clusters.genPowerCfg : Zcl.Clusters.closuresDoorLock;
    const records = Object.entries(values).flatMap(([name, value]) => {
      const attribute = definition.attributes[name];
      return attribute ? [{ attrId: attribute.ID, dataType: attribute.type, attrData: value }] : [];
    });
    this.out(() => this.o.send(this.o.endpoint, cluster, "report", records, undefined, true));
  }
}
