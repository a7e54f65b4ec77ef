// What a lock says unprompted (keypad programming, operations, alarms, attribute reports), translated
// into the contract's DriverEvents. One instance per lock; operations and the bolt's state go through the
// handle's LockReports (../lock-reports.ts), so an operation reported both by a notification and by a
// lockState report is one operation.
import { Zcl } from "zigbee-herdsman";
import type { DriverEventListener, LockMethod } from "../contract.js";
import { decodeAlarm, decodeOperationEvent, decodeProgrammingEvent, numericAttribute, type OperationEventData } from "./decode.js";
import {
  ALARM_DUPLICATE_PIN,
  ALARMS,
  BATTERY_ALARMS,
  DOOR_LOCK,
  DoorLockAlarm,
  EventSource,
  OperationEvent,
  POWER_CFG,
  ProgramEvent,
  batteryPercent,
} from "./door-lock.js";
import type { ZigbeeLockHandle } from "./lock-handle.js";

/** The part of herdsman's `message` event this module reads. */
export interface LockMessage {
  readonly type: string;
  readonly cluster: string | number;
  readonly data: unknown;
}

const DOOR_LOCK_CLUSTER_ID = Zcl.Clusters.closuresDoorLock.ID;
const POWER_CLUSTER_ID = Zcl.Clusters.genPowerCfg.ID;

const LOCKING: ReadonlySet<number> = new Set([
  OperationEvent.LOCK,
  OperationEvent.ONE_TOUCH_LOCK,
  OperationEvent.KEY_LOCK,
  OperationEvent.AUTO_LOCK,
  OperationEvent.SCHEDULE_LOCK,
  OperationEvent.MANUAL_LOCK,
]);
const UNLOCKING: ReadonlySet<number> = new Set([
  OperationEvent.UNLOCK,
  OperationEvent.KEY_UNLOCK,
  OperationEvent.SCHEDULE_UNLOCK,
  OperationEvent.MANUAL_UNLOCK,
]);
/** Refused operations; the schedule refusals name a known user. */
const DENIED: ReadonlyMap<number, { withUser: boolean }> = new Map([
  [OperationEvent.LOCK_FAILURE_INVALID_PIN, { withUser: false }],
  [OperationEvent.UNLOCK_FAILURE_INVALID_PIN, { withUser: false }],
  [OperationEvent.LOCK_FAILURE_INVALID_SCHEDULE, { withUser: true }],
  [OperationEvent.UNLOCK_FAILURE_INVALID_SCHEDULE, { withUser: true }],
]);
const TAMPER_ALARMS: ReadonlyMap<number, "tamper" | "keypad_lockout"> = new Map([
  [DoorLockAlarm.WRONG_CODE_ENTRY_LIMIT, "keypad_lockout"],
  [DoorLockAlarm.FRONT_ESCUTCHEON_REMOVED, "tamper"],
  [DoorLockAlarm.FORCED_DOOR_OPEN, "tamper"],
]);

function methodOf(event: OperationEventData): LockMethod {
  if (event.code === OperationEvent.AUTO_LOCK || event.code === OperationEvent.SCHEDULE_LOCK || event.code === OperationEvent.SCHEDULE_UNLOCK) {
    return "automatic";
  }
  // The keypad's lock button: a button press, no code involved.
  if (event.code === OperationEvent.ONE_TOUCH_LOCK) return "manual";
  switch (event.source) {
    case EventSource.KEYPAD:
      return "keycode";
    case EventSource.RF:
      return "remote";
    case EventSource.MANUAL:
      return "manual";
    default:
      return "unknown";
  }
}

export class LockEvents {
  constructor(
    private readonly lock: ZigbeeLockHandle,
    private readonly emit: DriverEventListener,
  ) {}

  private get radioId(): string {
    return this.lock.identity.radioId;
  }

  handle(message: LockMessage): void {
    if (message.cluster === DOOR_LOCK && message.type === "commandProgrammingEventNotification") this.programming(message.data);
    else if (message.cluster === DOOR_LOCK && message.type === "commandOperationEventNotification") this.operation(message.data);
    else if (message.cluster === ALARMS && message.type === "commandAlarm") this.alarm(message.data);
    else if (message.type === "attributeReport" || message.type === "readResponse") this.attributes(message);
  }

  private programming(data: unknown): void {
    const event = decodeProgrammingEvent(data);
    if (!event) return;
    const keypad = event.source === EventSource.KEYPAD;
    if (event.userId === "all") {
      if (event.code === ProgramEvent.PIN_DELETED) this.emit({ type: "all_slots_cleared", radioId: this.radioId });
      return;
    }
    // User 0 (master code on several locks) is not a slot; neither is anything past the slot count.
    const slot = event.userId;
    if (slot < 1 || slot > this.lock.capabilities().slotCount) return;
    const changed = event.code === ProgramEvent.PIN_ADDED || event.code === ProgramEvent.PIN_CHANGED || event.code === ProgramEvent.PIN_DELETED;
    // The echo of the hub's own setPinCode / clearPinCode proves that write (rf-changes.ts); it is no news.
    if (changed && event.source === EventSource.RF && this.lock.noteRfProgramming(slot, { pin: event.pin, deleted: event.code === ProgramEvent.PIN_DELETED })) return;
    if (event.code === ProgramEvent.PIN_ADDED || event.code === ProgramEvent.PIN_CHANGED) {
      const base = { type: "slot_changed", radioId: this.radioId, slot, cause: keypad ? "keypad_added" : "report" } as const;
      // Masked locks send no digits: leave `code` out so the hub knows it was not told.
      this.emit(event.pin !== null ? { ...base, code: event.pin } : base);
    } else if (event.code === ProgramEvent.PIN_DELETED) {
      this.emit({ type: "slot_changed", radioId: this.radioId, slot, code: null, cause: keypad ? "keypad_deleted" : "report" });
    }
  }

  private operation(data: unknown): void {
    const event = decodeOperationEvent(data);
    if (!event) return;
    const validUser = event.userId !== null && event.userId >= 1 && event.userId <= this.lock.capabilities().slotCount ? event.userId : null;
    const denied = DENIED.get(event.code);
    if (denied) {
      this.emit({ type: "access_denied", radioId: this.radioId, slot: denied.withUser ? validUser : null });
      return;
    }
    const locked = LOCKING.has(event.code) ? true : UNLOCKING.has(event.code) ? false : null;
    if (locked === null) return;
    const method = methodOf(event);
    this.lock.door.reports.announced(locked, method, method === "keycode" ? validUser : null);
  }

  private alarm(data: unknown): void {
    const alarm = decodeAlarm(data);
    if (!alarm) return;
    if (alarm.alarmCode === ALARM_DUPLICATE_PIN) {
      // A keypad duplicate names no slot; the hub's own refused write reports its slot itself.
      if (!this.lock.noteDuplicateAlarm()) this.emit({ type: "duplicate_refused", radioId: this.radioId, slot: null });
      return;
    }
    if (alarm.clusterId === POWER_CLUSTER_ID) {
      if (alarm.alarmCode >= BATTERY_ALARMS.FIRST && alarm.alarmCode <= BATTERY_ALARMS.LAST) this.emit({ type: "battery_low", radioId: this.radioId });
      return;
    }
    const cause = alarm.clusterId === DOOR_LOCK_CLUSTER_ID ? TAMPER_ALARMS.get(alarm.alarmCode) : undefined;
    if (cause) this.emit({ type: "tampered", radioId: this.radioId, cause });
  }

  private attributes(message: LockMessage): void {
    if (message.cluster === POWER_CFG) {
      const level = batteryPercent(numericAttribute(message.data, "batteryPercentageRemaining") ?? Number.NaN);
      if (level !== null) this.lock.noteBattery(level);
      return;
    }
    // Only unsolicited reports are news; a read response answers the hub's own read (readLockState).
    if (message.cluster !== DOOR_LOCK || message.type !== "attributeReport") return;
    this.lock.door.fromAttributes(message.data, "report");
  }
}
