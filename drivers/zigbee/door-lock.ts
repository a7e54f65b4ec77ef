// The Door Lock cluster (ZCL 0x0101) as this driver uses it: value meanings, PIN and time encoding,
// and how a lock's answer maps to the contract's RadioResult. Shared by the driver and the virtual lock.
import type { RadioResult } from "../contract.js";
import { failed as failure } from "../write-checks.js";

export { failure };

/** The contract radio id of a Zigbee lock: its IEEE address. */
export const radioIdOf = (ieee: string): string => `zigbee:${ieee}`;

export const DOOR_LOCK = "closuresDoorLock";
export const POWER_CFG = "genPowerCfg";
export const ALARMS = "genAlarms";

/** ZCL user status. */
export const UserStatus = { AVAILABLE: 0, ENABLED: 1, DISABLED: 3, NOT_SUPPORTED: 0xff } as const;
/** ZCL user type: year-day schedule users are only let in inside their schedule. */
export const UserType = { UNRESTRICTED: 0, YEAR_DAY_SCHEDULE: 1, WEEK_DAY_SCHEDULE: 2, MASTER: 3, NON_ACCESS: 4, NOT_SUPPORTED: 0xff } as const;
/** setPinCodeRsp / clear / schedule response status. */
export const DoorLockStatus = { SUCCESS: 0, GENERAL_FAILURE: 1, MEMORY_FULL: 2, DUPLICATE_CODE: 3 } as const;
export const LockState = { NOT_FULLY_LOCKED: 0, LOCKED: 1, UNLOCKED: 2 } as const;

/** doorState attribute of a lock with a door sensor. */
export const DoorState = { OPEN: 0, CLOSED: 1, ERROR_JAMMED: 2, ERROR_FORCED_OPEN: 3, ERROR_UNSPECIFIED: 4 } as const;

/** Event source of operation and programming event notifications (0xFF: the lock does not say, e.g. auto-relock). */
export const EventSource = { KEYPAD: 0, RF: 1, MANUAL: 2, RFID: 3, INDETERMINATE: 0xff } as const;
export const ProgramEvent = { UNKNOWN: 0, MASTER_CODE_CHANGED: 1, PIN_ADDED: 2, PIN_DELETED: 3, PIN_CHANGED: 4 } as const;
export const OperationEvent = {
  UNKNOWN: 0,
  LOCK: 1,
  UNLOCK: 2,
  LOCK_FAILURE_INVALID_PIN: 3,
  LOCK_FAILURE_INVALID_SCHEDULE: 4,
  UNLOCK_FAILURE_INVALID_PIN: 5,
  UNLOCK_FAILURE_INVALID_SCHEDULE: 6,
  ONE_TOUCH_LOCK: 7,
  KEY_LOCK: 8,
  KEY_UNLOCK: 9,
  AUTO_LOCK: 10,
  SCHEDULE_LOCK: 11,
  SCHEDULE_UNLOCK: 12,
  MANUAL_LOCK: 13,
  MANUAL_UNLOCK: 14,
} as const;

/** Yale modules report "PIN refused: already in another slot" as this genAlarms code instead of status 3. */
export const ALARM_DUPLICATE_PIN = 113;
/** genAlarms codes of the Door Lock cluster (ZCL 7.3.2.8). */
export const DoorLockAlarm = { DEADBOLT_JAMMED: 0, RESET_TO_FACTORY: 1, RF_POWER_CYCLED: 3, WRONG_CODE_ENTRY_LIMIT: 4, FRONT_ESCUTCHEON_REMOVED: 5, FORCED_DOOR_OPEN: 6 } as const;
/** genAlarms codes of the Power Configuration cluster for battery source 1: 0x10 min threshold, 0x11-0x13 thresholds 1-3. */
export const BATTERY_ALARMS = { FIRST: 0x10, LAST: 0x13 } as const;
/** A programming event with this user id (decoded by herdsman as NaN: it is the uint16 non-value) means "all users". */
export const ALL_USERS = 0xffff;
/** The one year-day schedule per user this driver manages. */
export const SCHEDULE_ID = 0;

/** Door Lock cluster attributes the driver reads for capabilities. */
export const CAPABILITY_ATTRIBUTES = ["numOfPinUsersSupported", "minPinLen", "maxPinLen"] as const;
export const OPTIONAL_CAPABILITY_ATTRIBUTES = ["sendPinOta", "numOfYearDaySchedulesSupportedPerUser", "requirePinForRfOperation"] as const;

export const PIN_CHARSET = "0123456789";

/**
 * A PIN travels as ASCII digits in an octet string. Always a non-empty Buffer: herdsman encodes an empty
 * *string* as the 0xFF non-value, and strings would also invite number conversions that drop leading zeros.
 */
export function pinToBuffer(code: string): Buffer {
  return Buffer.from(code, "ascii");
}

/** Digits from an octet string; empty when the lock withheld them (SendPINOverTheAir off). */
export function pinFromBuffer(value: Buffer): string {
  return value.toString("ascii");
}

/** Zigbee "local time": seconds since 2000-01-01 00:00 in the hub's time zone (what herdsman's time server serves). */
const EPOCH_2000_MS = Date.UTC(2000, 0, 1);
export function toZigbeeLocalTime(date: Date): number {
  return Math.floor((date.getTime() - EPOCH_2000_MS) / 1000) - date.getTimezoneOffset() * 60;
}

/** A user slot holds a usable entry only when enabled or disabled; anything else (available, 0xFF/NaN) is empty. */
export function isOccupied(userStatus: number): boolean {
  return userStatus === UserStatus.ENABLED || userStatus === UserStatus.DISABLED;
}

export function statusName(status: number): string {
  switch (status) {
    case DoorLockStatus.SUCCESS:
      return "success";
    case DoorLockStatus.GENERAL_FAILURE:
      return "general failure";
    case DoorLockStatus.MEMORY_FULL:
      return "memory full";
    case DoorLockStatus.DUPLICATE_CODE:
      return "duplicate code";
    default:
      return `status 0x${status.toString(16).padStart(2, "0")}`;
  }
}


/** What a status-only Door Lock response (setPinCodeRsp, clearPinCodeRsp, ...) means for the hub. */
export function statusFailure(command: string, status: number): RadioResult | null {
  if (status === DoorLockStatus.SUCCESS) return null;
  if (status === DoorLockStatus.DUPLICATE_CODE) return failure("duplicate", `${command}: the lock holds this PIN in another slot`);
  return failure("rejected", `${command}: the lock refused (${statusName(status)})`);
}

/** Every length from min to max, ascending; ZCL defaults (4..8) when the lock reports nonsense. */
export function codeLengthsFrom(minPinLen: number | undefined, maxPinLen: number | undefined): number[] {
  const min = minPinLen !== undefined && minPinLen > 0 ? minPinLen : 4;
  const max = maxPinLen !== undefined && maxPinLen >= min ? maxPinLen : Math.max(8, min);
  const lengths: number[] = [];
  for (let n = min; n <= max; n++) lengths.push(n);
  return lengths;
}

/** genPowerCfg batteryPercentageRemaining is in half percent; 0xFF (NaN after decoding) is "unknown". */
export function batteryPercent(raw: number): number | null {
  if (!Number.isFinite(raw) || raw < 0 || raw > 200) return null;
  return Math.round(raw / 2);
}
