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
  /** A state ("Lock state" variable), not an event: zwave-js reports it as a value. */
  LockJammed: 0x0b,
  AllUserCodesDeleted: 0x0c,
  SingleUserCodeDeleted: 0x0d,
  NewUserCodeAdded: 0x0e,
  NewUserCodeDuplicate: 0x0f,
  /** State ("Keypad state"): the keypad shut itself off. */
  KeypadTemporarilyDisabled: 0x10,
  /** Too many wrong codes at the keypad (Yale maps its alarm 161 here). */
  CodeLimitExceeded: 0x13,
  RfUnlockInvalidCode: 0x14,
  RfLockInvalidCode: 0x15,
  /** States ("Door state") of a lock with a door sensor. */
  DoorOpen: 0x16,
  DoorClosed: 0x17,
  DeniedUserDisabled: 0x2f,
  DeniedScheduleInactive: 0x30,
  InvalidCredential: 0x32,
} as const;

/** Notification type "Home Security": tampering. */
export const HOME_SECURITY = 0x07;
export const HomeSecurityEvent = {
  /** State ("Cover status"). */
  CoverRemoved: 0x03,
  InvalidCode: 0x04,
  ProductMoved: 0x09,
} as const;

/** Notification type "Power Management": battery warnings (Kwikset/Yale map their alarms 167/168 to 0x0e/0x0f). */
export const POWER_MANAGEMENT = 0x08;
export const PowerManagementEvent = {
  ReplaceBatterySoon: 0x0a,
  ReplaceBatteryNow: 0x0b,
  ChargeBatterySoon: 0x0e,
  ChargeBatteryNow: 0x0f,
} as const;

/** Lock/unlock events: action and how the lock was operated. */
const OPERATIONS: ReadonlyMap<number, { action: "locked" | "unlocked"; method: LockMethod; withUser: boolean }> = new Map([
  [AccessControlEvent.ManualLock, { action: "locked", method: "manual", withUser: false }],
  [AccessControlEvent.ManualUnlock, { action: "unlocked", method: "manual", withUser: false }],
  [AccessControlEvent.RfLock, { action: "locked", method: "remote", withUser: false }],
  [AccessControlEvent.RfUnlock, { action: "unlocked", method: "remote", withUser: false }],
  // Without a user id, "keypad lock" is the keypad's lock button (one-touch): a button press, not a code.
  [AccessControlEvent.KeypadLock, { action: "locked", method: "keycode", withUser: true }],
  [AccessControlEvent.KeypadUnlock, { action: "unlocked", method: "keycode", withUser: true }],
  [AccessControlEvent.AutoLock, { action: "locked", method: "automatic", withUser: false }],
]);

/** Refused credentials: unknown codes (no user), and known users refused for their state or schedule. */
const ACCESS_DENIED: ReadonlyMap<number, { withUser: boolean }> = new Map([
  [AccessControlEvent.RfUnlockInvalidCode, { withUser: false }],
  [AccessControlEvent.RfLockInvalidCode, { withUser: false }],
  [AccessControlEvent.InvalidCredential, { withUser: false }],
  [AccessControlEvent.DeniedUserDisabled, { withUser: true }],
  [AccessControlEvent.DeniedScheduleInactive, { withUser: true }],
]);

/**
 * The user id zwave-js parsed out of the event parameters: `{ userId }` when the lock sent one
 * byte, or the fields of an embedded User Code Report.
 */
export function userIdFromParameters(parameters: unknown): number | null {
  // Events zwave-js has no parameter definition for keep their raw bytes: one byte is the user id.
  if (parameters instanceof Uint8Array) return parameters.length === 1 && parameters[0]! > 0 ? parameters[0]! : null;
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
  if (type === HOME_SECURITY) {
    if (event === HomeSecurityEvent.InvalidCode) return { type: "access_denied", radioId, slot: null };
    if (event === HomeSecurityEvent.ProductMoved) return { type: "tampered", radioId, cause: "tamper" };
    return null;
  }
  if (type !== ACCESS_CONTROL) return null;
  const slot = userIdFromParameters(parameters);
  const operation = OPERATIONS.get(event);
  if (operation) {
    const byButton = event === AccessControlEvent.KeypadLock && slot === null;
    return {
      type: "lock_operation",
      radioId,
      action: operation.action,
      method: byButton ? "manual" : operation.method,
      slot: operation.withUser ? slot : null,
    };
  }
  const denied = ACCESS_DENIED.get(event);
  if (denied) return { type: "access_denied", radioId, slot: denied.withUser ? slot : null };
  switch (event) {
    case AccessControlEvent.CodeLimitExceeded:
      return { type: "tampered", radioId, cause: "keypad_lockout" };
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
export const NOTIFICATION_CC = 0x71;

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

/**
 * Notification *states* (zwave-js keeps them as values, "notification" events are only for events):
 * keypad shut off, cover removed, battery warnings; and Battery CC v2's "replace soon/now".
 */
export function notificationValueToEvent(radioId: string, change: ValueChange): DriverEvent | null {
  const { commandClass, property, propertyKey, newValue } = change;
  if (commandClass === BATTERY_CC) {
    return property === "rechargeOrReplace" && typeof newValue === "number" && newValue > 0 ? { type: "battery_low", radioId } : null;
  }
  if (commandClass !== NOTIFICATION_CC || typeof newValue !== "number" || newValue === 0) return null;
  if (property === "Access Control" && propertyKey === "Keypad state" && newValue === AccessControlEvent.KeypadTemporarilyDisabled) {
    return { type: "tampered", radioId, cause: "keypad_lockout" };
  }
  if (property === "Home Security" && propertyKey === "Cover status" && newValue === HomeSecurityEvent.CoverRemoved) {
    return { type: "tampered", radioId, cause: "tamper" };
  }
  if (property === "Power Management" && (Object.values(PowerManagementEvent) as number[]).includes(newValue)) {
    return { type: "battery_low", radioId };
  }
  return null;
}
