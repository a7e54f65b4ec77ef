// What a lock says unprompted (keypad programming, operations, alarms, attribute reports), translated
// into the contract's DriverEvents. One instance per lock: it remembers just enough to not report the same
// unlock twice when a lock sends both an operation notification and a lockState report.
import type { DriverEventListener, LockMethod } from "../contract.js";
import { decodeAlarm, decodeOperationEvent, decodeProgrammingEvent, numericAttribute, type OperationEventData } from "./decode.js";
import {
  ALARM_DUPLICATE_PIN,
  ALARMS,
  DOOR_LOCK,
  EventSource,
  LockState,
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

type Action = "locked" | "unlocked";

/** A lockState report this soon after a notification of the same action is the same operation. */
const REPORT_AFTER_NOTIFICATION_MS = 3000;

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

function methodOf(event: OperationEventData): LockMethod {
  if (event.code === OperationEvent.AUTO_LOCK || event.code === OperationEvent.SCHEDULE_LOCK || event.code === OperationEvent.SCHEDULE_UNLOCK) {
    return "automatic";
  }
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
  private lastNotified: { action: Action; at: number } | null = null;

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
    const action: Action | null = LOCKING.has(event.code) ? "locked" : UNLOCKING.has(event.code) ? "unlocked" : null;
    // Failures (wrong PIN, outside schedule) change nothing on the door.
    if (action === null) return;
    const method = methodOf(event);
    const slot = method === "keycode" && event.userId !== null && event.userId >= 1 ? event.userId : null;
    this.lastNotified = { action, at: Date.now() };
    this.emit({ type: "lock_operation", radioId: this.radioId, action, method, slot });
  }

  private alarm(data: unknown): void {
    const alarm = decodeAlarm(data);
    if (alarm?.alarmCode !== ALARM_DUPLICATE_PIN) return;
    this.lock.noteDuplicateAlarm();
    this.emit({ type: "duplicate_refused", radioId: this.radioId, slot: null });
  }

  private attributes(message: LockMessage): void {
    if (message.cluster === POWER_CFG) {
      const level = batteryPercent(numericAttribute(message.data, "batteryPercentageRemaining") ?? Number.NaN);
      if (level !== null) this.lock.noteBattery(level);
      return;
    }
    // Only unsolicited reports are operations; a read response is the hub asking.
    if (message.cluster !== DOOR_LOCK || message.type !== "attributeReport") return;
    const state = numericAttribute(message.data, "lockState");
    const action: Action | null = state === LockState.LOCKED ? "locked" : state === LockState.UNLOCKED ? "unlocked" : null;
    if (action === null) return;
    const recent = this.lastNotified;
    if (recent && recent.action === action && Date.now() - recent.at < REPORT_AFTER_NOTIFICATION_MS) return;
    this.emit({ type: "lock_operation", radioId: this.radioId, action, method: "unknown", slot: null });
  }
}
