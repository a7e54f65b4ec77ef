// The bolt, the door sensor and the body of a simulated Z-Wave lock: Door Lock Operation Get/Set
// answered from the shared door mechanism (../../sim/door-mechanism.ts), and what real locks send
// unprompted, as real frames: Access Control notifications for every operation (RF, keypad, keypad
// button, thumb turn, auto-relock), the door sensor and the jam; Home Security for a wrong code and a
// removed cover; a Battery Report and Power Management's "replace battery soon". A model that reports by
// Alarm (its profile's alarmReports) sends its own alarm types for what its device file maps instead.
import { CommandClasses, Duration } from "@zwave-js/core";
import type { MockNode, MockNodeBehavior } from "@zwave-js/testing";
import { BatteryCCReport, DoorLockCCOperationGet, DoorLockCCOperationReport, DoorLockCCOperationSet, DoorLockMode, type CommandClass } from "zwave-js";
import type { SimulatedLockConfig } from "../../contract.js";
import { DoorMechanism, LOW_BATTERY_PERCENT, type DoorReporter, type DoorState, type OperationSource } from "../../sim/door-mechanism.js";
import { zwaveProfile } from "../../sim/profiles/index.js";
import type { ZWaveAlarm, ZWaveAlarmCodes } from "../../sim/profiles/types.js";
import { ACCESS_CONTROL, AccessControlEvent, HOME_SECURITY, HomeSecurityEvent, POWER_MANAGEMENT, PowerManagementEvent } from "../notifications.js";
import { alarmReport, notificationReport } from "./mock-behaviors.js";
import type { MockLockMemory } from "./mock-lock-memory.js";
import { sendFromLock } from "./secure-send.js";

/** What the door needs from its simulated lock (sim-lock.ts). */
export interface SimDoorLockHost {
  readonly mockNode: MockNode | null;
  readonly memory: MockLockMemory;
  readonly config: SimulatedLockConfig;
  readonly faults: { readonly jammed: boolean };
  isSilent(): boolean;
}

/** What happened to the bolt, as the model's alarm table names it. */
type Operation = Exclude<keyof ZWaveAlarmCodes, "jammed" | "keypadLockout" | "lowBattery">;

function operationOf(locked: boolean, source: OperationSource): Operation {
  switch (source) {
    case "rf":
      return locked ? "rfLock" : "rfUnlock";
    case "keypad":
      return locked ? "keypadLock" : "keypadUnlock";
    case "keypad_button":
      return "keypadButtonLock";
    case "thumb_turn":
      return locked ? "manualLock" : "manualUnlock";
    case "auto":
      return "autoLock";
  }
}

/** The Access Control event a lock that reports by Notification sends for an operation. */
const OPERATION_EVENTS: Readonly<Record<Operation, number>> = {
  rfLock: AccessControlEvent.RfLock,
  rfUnlock: AccessControlEvent.RfUnlock,
  keypadLock: AccessControlEvent.KeypadLock,
  keypadUnlock: AccessControlEvent.KeypadUnlock,
  keypadButtonLock: AccessControlEvent.KeypadLock,
  manualLock: AccessControlEvent.ManualLock,
  manualUnlock: AccessControlEvent.ManualUnlock,
  autoLock: AccessControlEvent.AutoLock,
};

const ALL_HANDLES = [true, true, true, true] as [boolean, boolean, boolean, boolean];

export class ZWaveSimDoor implements DoorReporter {
  readonly mechanism: DoorMechanism;
  /** Frames the lock sends by itself go out one after another, after its answer to the current command. */
  private sending: Promise<void> = Promise.resolve();
  /** The model's alarm types, when it reports by Alarm (Notification v1) rather than by Notification. */
  private readonly alarms: ZWaveAlarmCodes | undefined;

  constructor(private readonly lock: SimDoorLockHost) {
    this.alarms = zwaveProfile(lock.config.profile)?.zwave.alarmReports;
    this.mechanism = new DoorMechanism({
      initial: lock.memory.snapshot.door,
      autoRelockMs: (lock.config.auto_relock_s ?? 0) * 1000,
      isJammed: () => lock.faults.jammed,
      report: this,
    });
  }

  /** Door Lock Operation Report of the bolt, door and latch as they are. */
  operationReport(controllerNodeId: number): DoorLockCCOperationReport {
    const mode = this.mechanism.locked ? DoorLockMode.Secured : DoorLockMode.Unsecured;
    return new DoorLockCCOperationReport({
      nodeId: controllerNodeId,
      currentMode: mode,
      targetMode: mode,
      duration: new Duration(0, "seconds"),
      outsideHandlesCanOpenDoor: ALL_HANDLES,
      insideHandlesCanOpenDoor: ALL_HANDLES,
      doorStatus: this.mechanism.doorOpen ? "open" : "closed",
      boltStatus: this.mechanism.locked ? "locked" : "unlocked",
      latchStatus: "closed",
    });
  }

  /** Without Supervision the lock confirms a command by reporting where the bolt is now. */
  reportOperation(): void {
    this.send((nodeId) => this.operationReport(nodeId));
  }

  /** Someone removes the cover: Home Security "Tampering, product cover removed". */
  tamper(): void {
    this.notify(HOME_SECURITY, HomeSecurityEvent.CoverRemoved);
  }

  /** The battery now holds `level` %; below LOW_BATTERY_PERCENT the lock also asks for a new one. */
  battery(level: number): void {
    const before = this.lock.memory.snapshot.battery;
    this.lock.memory.setBattery(level);
    this.send((nodeId) => new BatteryCCReport({ nodeId, level }));
    if (level >= LOW_BATTERY_PERCENT || before < LOW_BATTERY_PERCENT) return;
    if (this.alarms) this.alarm(this.alarms.lowBattery, level);
    else this.notify(POWER_MANAGEMENT, PowerManagementEvent.ReplaceBatterySoon);
  }

  /** Resolves once every frame queued so far was sent (or dropped: nobody hears a silent lock). */
  async idle(): Promise<void> {
    await this.sending;
  }

  dispose(): void {
    this.mechanism.dispose();
  }

  // ---- DoorReporter ---------------------------------------------------------------------------

  operated(locked: boolean, source: OperationSource, slot: number | null): void {
    const operation = operationOf(locked, source);
    if (this.alarms) this.alarm(this.alarms[operation], slot ?? 0);
    else this.notify(ACCESS_CONTROL, OPERATION_EVENTS[operation], source === "keypad" && slot !== null ? Uint8Array.of(slot) : undefined);
  }

  jammed(): void {
    if (this.alarms) this.alarm(this.alarms.jammed, 0);
    else this.notify(ACCESS_CONTROL, AccessControlEvent.LockJammed);
  }

  doorChanged(open: boolean): void {
    this.notify(ACCESS_CONTROL, open ? AccessControlEvent.DoorOpen : AccessControlEvent.DoorClosed);
  }

  denied(slot: number | null): void {
    if (slot === null) this.notify(HOME_SECURITY, HomeSecurityEvent.InvalidCode);
    else this.notify(ACCESS_CONTROL, AccessControlEvent.DeniedScheduleInactive, Uint8Array.of(slot));
  }

  keypadLockedOut(): void {
    if (this.alarms) this.alarm(this.alarms.keypadLockout, 0);
    else this.notify(ACCESS_CONTROL, AccessControlEvent.CodeLimitExceeded);
  }

  changed(state: DoorState): void {
    this.lock.memory.setDoor(state);
  }

  // ---- frames ---------------------------------------------------------------------------------

  private notify(type: number, event: number, parameters?: Uint8Array<ArrayBuffer>): void {
    this.send((nodeId) => notificationReport(nodeId, type, event, parameters));
  }

  /** An old Alarm report; `variableLevel` (the slot, the battery %) where the model gives no fixed level. */
  private alarm(alarm: ZWaveAlarm, variableLevel: number): void {
    this.send((nodeId) => alarmReport(nodeId, alarm.alarmType, alarm.alarmLevel ?? variableLevel));
  }

  /** Sent as the lock sends anything unasked: encrypted with its network key (secure-send.ts). */
  private send(build: (controllerNodeId: number) => CommandClass): void {
    this.sending = this.sending
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async () => {
        const node = this.lock.mockNode;
        if (!node || this.lock.isSilent()) return;
        await sendFromLock(node, build(node.controller.ownNodeId));
      })
      .catch(() => undefined);
  }
}

/** Door Lock behaviours; register them so that the lock's silence and fault behaviours run first. */
export function createDoorLockBehaviors(door: ZWaveSimDoor): MockNodeBehavior[] {
  const answerOperationGet: MockNodeBehavior = {
    handleCC(controller, _self, cc) {
      if (!(cc instanceof DoorLockCCOperationGet)) return undefined;
      return { action: "sendCC", cc: door.operationReport(controller.ownNodeId) };
    },
  };
  const operate: MockNodeBehavior = {
    handleCC(_controller, _self, cc) {
      if (!(cc instanceof DoorLockCCOperationSet)) return undefined;
      // Supervision (if it was asked for) carries the outcome; the notification follows it.
      const moved = door.mechanism.operate(cc.mode === DoorLockMode.Secured, "rf");
      if (!cc.isEncapsulatedWith(CommandClasses.Supervision)) door.reportOperation();
      return moved ? { action: "ok" } : { action: "fail" };
    },
  };
  return [answerOperationGet, operate];
}
