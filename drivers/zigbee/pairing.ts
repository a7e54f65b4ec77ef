// The contract's RadioPairing over zigbee-herdsman: a permit-join window (≤ 254 s, herdsman counts it
// down; stop closes it), optionally for one lock only (its install code), and removal by a leave
// request. Which joins are admitted is decided here for every coordinator: a known device rejoining,
// anything while a plain window is open, only the install code's device while such a window is open.
import type { Controller } from "zigbee-herdsman";
import { parseInstallCode } from "zigbee-herdsman/dist/controller/helpers/installCodes.js";
import { PairingError, type DriverLogger, type IncludeOptions, type PairingListener, type PairingSession, type PairingSimulator, type RadioPairing } from "../contract.js";
import { radioIdOf } from "./door-lock.js";

export interface ZigbeePairingHost {
  controller(): Controller | null;
  readonly logger: DriverLogger;
  /** The driver forgets a lock that left (it reports lock_removed). */
  forget(ieee: string): void;
  /** Simulation: the locks the simulated network holds as members (configured ones join at start-up). */
  isSimulatedMember(ieee: string): boolean;
}

/** zigbee-herdsman's limit: 255 often means "forever". */
const MAX_SECONDS = 254;
const DEFAULT_SECONDS = 120;

interface Window {
  readonly listener: PairingListener;
  /** Only this device may join (the window was opened with its install code). */
  readonly onlyIeee: string | null;
}


export class ZigbeePairing implements RadioPairing {
  private window: Window | null = null;

  constructor(
    private readonly host: ZigbeePairingHost,
    readonly simulator?: PairingSimulator,
  ) {}

  async include(options: IncludeOptions, listener: PairingListener): Promise<PairingSession> {
    const controller = this.requireController();
    if (this.window) throw new PairingError("busy", "a Zigbee permit-join window is already open");
    const seconds = options.seconds ?? DEFAULT_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SECONDS) throw new PairingError("unsupported", `a Zigbee window lasts 1..${MAX_SECONDS} s`);
    let onlyIeee: string | null = null;
    if (options.installCode !== undefined) {
      try {
        onlyIeee = parseInstallCode(options.installCode)[0].toLowerCase();
        await controller.addInstallCode(options.installCode);
      } catch {
        // herdsman's messages quote the code: never passed on.
        throw new PairingError("invalid_install_code", "install_code is not an install code zigbee-herdsman can read (e.g. <16 hex digits of the IEEE address>|<install code in hex>)");
      }
    }
    this.window = { listener, onlyIeee };
    try {
      await controller.permitJoin(seconds);
    } catch (e) {
      this.window = null;
      throw e;
    }
    this.host.logger.info({ seconds, withInstallCode: onlyIeee !== null }, "zigbee permit join open");
    return {
      providePin: () => {
        throw new PairingError("not_waiting_for_pin", "Zigbee locks need no PIN to join");
      },
      stop: async () => {
        await controller.permitJoin(0);
      },
    };
  }

  async remove(radioId: string): Promise<void> {
    const controller = this.requireController();
    const ieee = radioId.replace(/^zigbee:/, "");
    const device = controller.getDeviceByIeeeAddr(ieee);
    if (!device) throw new PairingError("unknown_lock", "this lock is not in the Zigbee network");
    try {
      await device.removeFromNetwork();
    } catch {
      // Unreachable (dead or off the air): forgotten all the same; if it comes back it is not admitted.
      device.removeFromDatabase();
      this.host.logger.warn({ radioId }, "zigbee lock did not answer the leave request; removed from the network's records");
    }
    this.host.forget(ieee);
  }

  onUnsolicited(): void {
    // Zigbee locks never join by themselves.
  }

  /** acceptJoiningDeviceHandler: whether the coordinator keeps a device that joined. */
  accepts(ieee: string): boolean {
    const known = this.host.controller()?.getDeviceByIeeeAddr(ieee);
    if (known) return true;
    const window = this.window;
    if (window) {
      if (window.onlyIeee === null || window.onlyIeee === ieee.toLowerCase()) return true;
      window.listener({ type: "failed", error: "not_allowed", message: "A lock without the install code this window was opened for tried to join; it was refused.", radioId: radioIdOf(ieee) });
      return false;
    }
    // A coordinator opened at start-up (zigbee.permit_join), or a simulated lock configured as a member.
    return this.host.controller()?.getPermitJoin() === true || this.host.isSimulatedMember(ieee);
  }

  onDeviceJoined(ieee: string): void {
    this.window?.listener({ type: "joined", radioId: radioIdOf(ieee), granted: [] });
  }

  onInterviewFailed(ieee: string): void {
    this.window?.listener({ type: "interview_failed", radioId: radioIdOf(ieee), message: "the lock did not answer its interview" });
  }

  onPermitJoinChanged(permitted: boolean): void {
    if (permitted) return;
    const window = this.window;
    this.window = null;
    window?.listener({ type: "closed" });
  }

  /** The coordinator went away (driver.ts restarts it): an open window closed with it. */
  controllerLost(): void {
    const window = this.window;
    this.window = null;
    window?.listener({
      type: "controller_lost",
      message: "The Zigbee coordinator was lost (unplugged, or its connection closed), which closed the permit-join window. Open a new one once the hub shows the radio running; a lock that joined before shows up as a device.",
    });
  }

  private requireController(): Controller {
    const controller = this.host.controller();
    if (!controller) throw new PairingError("unsupported", "the Zigbee radio is not running");
    return controller;
  }
}
