// The bolt and the door of one Z-Wave lock: state from zwave-js's Door Lock values (and the Access
// Control "Door state" notification), remote lock/unlock over Door Lock Operation Set, confirmed by
// Supervision or by the state report the lock sends after it moved the bolt.
import { CommandClasses, SupervisionStatus } from "@zwave-js/core";
import { DoorLockCCValues, DoorLockMode, type ZWaveNode } from "zwave-js";
import { RadioError, type DriverEventListener, type LockControls, type LockOperationResult, type LockState } from "../contract.js";
import { LockReports } from "../lock-reports.js";
import { AccessControlEvent, type ValueChange, NOTIFICATION_CC } from "./notifications.js";

const DOOR_LOCK_CC = 0x62;
/** Without Supervision, how long to wait for the lock's own report before asking it. */
const REPORT_WAIT_MS = 1_500;

/** Secured is locked; every unsecured mode (with or without timeout, inside or outside handles) is not. */
export function lockedFromMode(mode: unknown): boolean | null {
  if (typeof mode !== "number" || mode === DoorLockMode.Unknown) return null;
  return mode === DoorLockMode.Secured;
}

function doorOpenFrom(status: unknown): boolean | null {
  return status === "open" ? true : status === "closed" ? false : null;
}

export class ZWaveDoorLock {
  readonly reports: LockReports;
  /** An Operation Get of ours is in flight: the values it brings are a read, not the lock's news. */
  private reading = false;
  /** When the lock last reported its bolt jammed; wakes a remote operation waiting for the bolt. */
  private jammedAt = Number.NEGATIVE_INFINITY;
  private readonly jamWaiters = new Set<() => void>();

  constructor(
    private readonly node: ZWaveNode,
    radioId: string,
    emit: DriverEventListener,
  ) {
    this.reports = new LockReports(radioId, emit, {
      locked: lockedFromMode(node.getValue(DoorLockCCValues.currentMode.id)),
      doorOpen: this.hasDoorSensor() ? doorOpenFrom(node.getValue(DoorLockCCValues.doorStatus.id)) : null,
    });
  }

  controls(): LockControls {
    const remote = this.node.supportsCC(CommandClasses["Door Lock"]);
    return { remoteLock: remote, remoteUnlock: remote, doorSensor: remote && this.hasDoorSensor() };
  }

  /** A zwave-js value change; true when it was about the bolt or the door (it is then handled here). */
  onValue(change: ValueChange): boolean {
    let state: Partial<LockState> | null = null;
    if (change.commandClass === DOOR_LOCK_CC && change.property === "currentMode") state = { locked: lockedFromMode(change.newValue) };
    else if (change.commandClass === DOOR_LOCK_CC && change.property === "doorStatus") state = { doorOpen: doorOpenFrom(change.newValue) };
    else if (change.commandClass === NOTIFICATION_CC && change.property === "Access Control" && change.propertyKey === "Lock state") {
      if (change.newValue === AccessControlEvent.LockJammed) {
        this.jammedAt = Date.now();
        for (const wake of [...this.jamWaiters]) wake();
      }
      return true;
    } else if (change.commandClass === NOTIFICATION_CC && change.property === "Access Control" && change.propertyKey === "Door state") {
      if (change.newValue === AccessControlEvent.DoorOpen) state = { doorOpen: true };
      else if (change.newValue === AccessControlEvent.DoorClosed) state = { doorOpen: false };
      else return true;
    }
    if (!state) return false;
    this.reports.reported(state, this.reading ? "read" : "report");
    return true;
  }

  /** One Door Lock Operation Get. */
  async read(): Promise<LockState> {
    this.reading = true;
    let report: Awaited<ReturnType<ZWaveNode["commandClasses"]["Door Lock"]["get"]>>;
    try {
      report = await this.node.commandClasses["Door Lock"].get();
    } finally {
      this.reading = false;
    }
    if (!report) throw new RadioError("timeout", "no Door Lock Operation Report");
    this.reports.reported(
      { locked: lockedFromMode(report.currentMode), ...(this.hasDoorSensor() ? { doorOpen: doorOpenFrom(report.doorStatus) } : {}) },
      "read",
    );
    return this.reports.state;
  }

  /** Operation Set, then the proof: Supervision, else the lock's report, else one Get. */
  async set(locked: boolean): Promise<LockOperationResult> {
    if (!this.controls().remoteLock) return { ok: false, failure: "rejected", message: "the lock has no Door Lock command class" };
    const verb = locked ? "lock" : "unlock";
    const sentAt = Date.now();
    const result = await this.node.commandClasses["Door Lock"].set(locked ? DoorLockMode.Secured : DoorLockMode.Unsecured);
    if (result?.status === SupervisionStatus.Success) {
      this.reports.confirmedRemote(locked);
      return { ok: true, proof: "supervision" };
    }
    if (result?.status === SupervisionStatus.Fail || result?.status === SupervisionStatus.NoSupport) {
      return { ok: false, failure: "rejected", message: `the lock refused to ${verb} (jammed, or remote operation is disabled at the lock)` };
    }
    // Working, or no Supervision: the lock reports the bolt's position once it has moved, or that it jammed.
    const moved = await this.boltMoves(locked, sentAt);
    if (moved === "jammed") return { ok: false, failure: "rejected", message: `the lock reports its bolt jammed: it did not ${verb}` };
    if (moved === "reached") {
      this.reports.confirmedRemote(locked);
      return { ok: true, proof: "state_report" };
    }
    const state = await this.read();
    if (state.locked === locked) {
      this.reports.confirmedRemote(locked);
      return { ok: true, proof: "state_read" };
    }
    return { ok: false, failure: "mismatch", message: `the lock did not ${verb}: it reports the bolt ${state.locked === null ? "in an unknown position" : state.locked ? "locked" : "unlocked"}` };
  }

  dispose(): void {
    this.reports.dispose();
  }

  /**
   * The bolt reported where `locked` says, the lock reporting a jam first (maybe while zwave-js still
   * waited on the Set, so since `sentAt`), or neither within the wait.
   */
  private async boltMoves(locked: boolean, sentAt: number): Promise<"reached" | "jammed" | "silent"> {
    if (this.jammedAt >= sentAt) return "jammed";
    let wake: () => void = () => undefined;
    const jammed = new Promise<"jammed">((resolve) => (wake = () => resolve("jammed")));
    this.jamWaiters.add(wake);
    try {
      const reach = this.reports.reach(locked, REPORT_WAIT_MS).then((reached): "reached" | "silent" => (reached ? "reached" : "silent"));
      return await Promise.race([reach, jammed]);
    } finally {
      this.jamWaiters.delete(wake);
    }
  }

  private hasDoorSensor(): boolean {
    return this.node.getValue<boolean>(DoorLockCCValues.doorSupported.id) === true;
  }
}
