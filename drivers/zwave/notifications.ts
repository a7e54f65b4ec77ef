// Pure mapping from what zwave-js reports about a lock to the contract's DriverEvents.
// No zwave-js objects in here, so the mapping is easy to test and to read next to the spec.
import type { DriverEvent, LockMethod } from "../contract.js";

/** Notification CC type "Access Control" and the events of it that a lock driver cares about. */
export const ACCESS_CONTROL = 0x06;
export const AccessControlEvent = {
  ManualLock: 0x01,
  ManualUnlock: 0x02,
  RfLock: 0x03,
  RfUnlock: 0x04,
  KeypadLock: 0x05,
  KeypadUnlock: 0x06,
  AutoLock: 0x09,
  AllUserCodesDeleted: 0x0c,
  SingleUserCodeDeleted: 0x0d,
  NewUserCodeAdded: 0x0e,
  NewUserCodeDuplicate: 0x0f,
} as const;

/** Lock/unlock events: action and how the lock was operated. */
const OPERATIONS: ReadonlyMap<number, { action: "locked" | "unlocked"; method: LockMethod; withUser: boolean }> = new Map([
  [AccessControlEvent.ManualLock, { action: "locked", method: "manual", withUser: false }],
  [AccessControlEvent.ManualUnlock, { action: "unlocked", method: "manual", withUser: false }],
  [AccessControlEvent.RfLock, { action: "locked", method: "remote", withUser: false }],
  [AccessControlEvent.RfUnlock, { action: "unlocked", method: "remote", withUser: false }],
  [AccessControlEvent.KeypadLock, { action: "locked", method: "keycode", withUser: true }],
  [AccessControlEvent.KeypadUnlock, { action: "unlocked", method: "keycode", withUser: true }],
  [AccessControlEvent.AutoLock, { action: "locked", method: "automatic", withUser: false }],
]);

/**
 * The user id zwave-js parsed out of the event parameters: `{ userId }` when the lock sent one
 * byte, or the fields of an embedded User Code Report.
 */
export function userIdFromParameters(parameters: unknown): number | null {
  if (typeof parameters !== "object" || parameters === null) return null;
  const userId: unknown = (parameters as Record<string, unknown>)["userId"];
  return typeof userId === "number" && Number.isInteger(userId) && userId > 0 ? userId : null;
}

/** A code carried in the parameters (embedded User Code Report), unless it is masked. */
function codeFromParameters(parameters: unknown): string | undefined {
  if (typeof parameters !== "object" || parameters === null) return undefined;
  const code = readableCode((parameters as Record<string, unknown>)["userCode"]);
  return code ?? undefined;
}

/**
 * A user code value as zwave-js stores it: a string of printable ASCII, or bytes when the lock sent
 * something else. Returns null for "empty", undefined for "the lock would not say" (masked: "****",
 * or binary), else the code.
 */
export function readableCode(value: unknown): string | null | undefined {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value instanceof Uint8Array) text = Buffer.from(value).toString("latin1");
  else return undefined;
  if (text.length === 0 || /^\0+$/.test(text)) return null;
  if (!/^[\x21-\x7e]+$/.test(text) || /^\*+$/.test(text)) return undefined;
  return text;
}

/** Maps a Notification CC event (zwave-js "notification" args) to at most one DriverEvent. */
export function notificationToEvent(radioId: string, type: number, event: number, parameters: unknown): DriverEvent | null {
  if (type !== ACCESS_CONTROL) return null;
  const slot = userIdFromParameters(parameters);
  const operation = OPERATIONS.get(event);
  if (operation) {
    return {
      type: "lock_operation",
      radioId,
      action: operation.action,
      method: operation.method,
      slot: operation.withUser ? slot : null,
    };
  }
  switch (event) {
    case AccessControlEvent.AllUserCodesDeleted:
      return { type: "all_slots_cleared", radioId };
    case AccessControlEvent.SingleUserCodeDeleted:
      // zwave-js does not update its cache for this event: the hub re-reads the slot.
      return slot === null ? null : { type: "slot_changed", radioId, slot, cause: "keypad_deleted" };
    case AccessControlEvent.NewUserCodeAdded: {
      if (slot === null) return null;
      const code = codeFromParameters(parameters);
      return code === undefined
        ? { type: "slot_changed", radioId, slot, cause: "keypad_added" }
        : { type: "slot_changed", radioId, slot, cause: "keypad_added", code };
    }
    case AccessControlEvent.NewUserCodeDuplicate:
      return { type: "duplicate_refused", radioId, slot };
    default:
      return null;
  }
}

/** User Code CC value ids zwave-js updates from a User Code Report. */
export const USER_CODE_CC = 0x63;
export const BATTERY_CC = 0x80;

export interface ValueChange {
  readonly commandClass: number;
  readonly property: string | number;
  readonly propertyKey?: string | number;
  readonly newValue: unknown;
}

/** An unsolicited User Code Report the lock sent by itself (e.g. after a keypad edit). */
export function userCodeValueToEvent(radioId: string, change: ValueChange): Extract<DriverEvent, { type: "slot_changed" }> | null {
  if (change.commandClass !== USER_CODE_CC || change.property !== "userCode") return null;
  if (typeof change.propertyKey !== "number") return null;
  const code = readableCode(change.newValue);
  return code === undefined
    ? { type: "slot_changed", radioId, slot: change.propertyKey, cause: "report" }
    : { type: "slot_changed", radioId, slot: change.propertyKey, cause: "report", code };
}

export function batteryValueToEvent(radioId: string, change: ValueChange): Extract<DriverEvent, { type: "battery" }> | null {
  if (change.commandClass !== BATTERY_CC || change.property !== "level") return null;
  return typeof change.newValue === "number" ? { type: "battery", radioId, level: change.newValue } : null;
}
