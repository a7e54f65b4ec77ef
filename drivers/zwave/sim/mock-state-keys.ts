// The ONLY module that knows how zwave-js's published mock behaviours store a lock's memory.
//
// MockNode.state is a plain Map; the User Code and Schedule Entry Lock mock behaviours of
// zwave-js 15.29 (packages/zwave-js/src/lib/node/mockCCBehaviors/) keep codes and schedules
// under the names below. They are internal names, not API: an upgrade may rename them without
// notice. test/drivers/zwave-mock-state.test.ts drives the published behaviours against these
// accessors and fails loudly if the names drift.
import { ScheduleEntryLockScheduleKind, UserIDStatus, type ScheduleEntryLockYearDaySchedule } from "zwave-js";
import { YEAR_DAY_SCHEDULE_SLOT } from "../schedule.js";
import { isOccupiedStatus } from "../user-id-status.js";

export { isOccupiedStatus };

type MockState = Map<string, unknown>;

const userCodeKey = (slot: number): string => `UserCode_userCode_${slot}`;
const userIdStatusKey = (slot: number): string => `UserCode_userIdStatus_${slot}`;
const yearDayKey = (slot: number): string =>
  `ScheduleEntryLock_schedule_${slot}_${YEAR_DAY_SCHEDULE_SLOT}_${ScheduleEntryLockScheduleKind.YearDay}`;
/**
 * Ours, not zwave-js's: its mock accepts Schedule Entry Lock Enable Set without remembering it,
 * so mock-behaviors.ts records it here to let the simulated keypad honour it.
 */
const scheduleEnabledKey = (slot: number): string => `lockbridge_scheduleEnabled_${slot}`;

/** zwave-js's Security 2 mock keeps a joining node's key-exchange progress here (Security2.ts, BootstrapStage). */
const SECURITY2_BOOTSTRAP_KEY = "Security2_bootstrapState";
const BOOTSTRAP_STAGE_HANDSHAKE = 1;

/** Exposed for the contract test only. */
export const mockStateKeyNames = { userCodeKey, userIdStatusKey, yearDayKey, scheduleEnabledKey, SECURITY2_BOOTSTRAP_KEY } as const;

/** The lock sent its KEX Set echo and waits for the controller's KEX Report echo. */
export function isAwaitingKeyExchangeConfirmation(state: MockState): boolean {
  const bootstrap = state.get(SECURITY2_BOOTSTRAP_KEY);
  return typeof bootstrap === "object" && bootstrap !== null && (bootstrap as { stage?: unknown }).stage === BOOTSTRAP_STAGE_HANDSHAKE;
}

/** The key exchange was cancelled: the lock is back to not joining securely. */
export function forgetKeyExchange(state: MockState): void {
  state.delete(SECURITY2_BOOTSTRAP_KEY);
}

export interface MockSlot {
  readonly status: UserIDStatus;
  /** The stored characters; null when the slot is available. */
  readonly code: string | null;
}

function toUserIdStatus(value: unknown): UserIDStatus {
  switch (value) {
    case UserIDStatus.Enabled:
    case UserIDStatus.Disabled:
    case UserIDStatus.Messaging:
    case UserIDStatus.PassageMode:
      return value;
    default:
      return UserIDStatus.Available;
  }
}

function toCodeString(value: unknown): string | null {
  if (typeof value === "string") return value.length > 0 ? value : null;
  if (value instanceof Uint8Array) return value.length > 0 ? Buffer.from(value).toString("latin1") : null;
  return null;
}

export function readMockSlot(state: MockState, slot: number): MockSlot {
  const status = toUserIdStatus(state.get(userIdStatusKey(slot)));
  const code = isOccupiedStatus(status) ? toCodeString(state.get(userCodeKey(slot))) : null;
  // A slot marked occupied without characters is treated as empty, like the mock's checksum does.
  return code === null ? { status: UserIDStatus.Available, code: null } : { status, code };
}

export function writeMockSlot(state: MockState, slot: number, value: MockSlot): void {
  if (value.code === null || !isOccupiedStatus(value.status)) {
    state.set(userIdStatusKey(slot), UserIDStatus.Available);
    state.set(userCodeKey(slot), undefined);
    return;
  }
  state.set(userIdStatusKey(slot), value.status);
  state.set(userCodeKey(slot), value.code);
}

const YEAR_DAY_FIELDS = [
  "startYear",
  "startMonth",
  "startDay",
  "startHour",
  "startMinute",
  "stopYear",
  "stopMonth",
  "stopDay",
  "stopHour",
  "stopMinute",
] as const satisfies readonly (keyof ScheduleEntryLockYearDaySchedule)[];

/** Narrows an unknown value (mock state or our JSON file) to a year-day schedule. */
export function asYearDaySchedule(value: unknown): ScheduleEntryLockYearDaySchedule | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const out: Partial<Record<(typeof YEAR_DAY_FIELDS)[number], number>> = {};
  for (const field of YEAR_DAY_FIELDS) {
    const v = record[field];
    if (typeof v !== "number" || !Number.isInteger(v)) return undefined;
    out[field] = v;
  }
  return out as ScheduleEntryLockYearDaySchedule;
}

export function readMockYearDay(state: MockState, slot: number): ScheduleEntryLockYearDaySchedule | undefined {
  return asYearDaySchedule(state.get(yearDayKey(slot)));
}

export function writeMockYearDay(state: MockState, slot: number, schedule: ScheduleEntryLockYearDaySchedule | undefined): void {
  state.set(yearDayKey(slot), schedule === undefined ? undefined : { ...schedule });
}

/** Whether the lock enforces the user's schedules; unknown (never set) counts as enabled. */
export function readMockScheduleEnabled(state: MockState, slot: number): boolean {
  return state.get(scheduleEnabledKey(slot)) !== false;
}

export function writeMockScheduleEnabled(state: MockState, slot: number, enabled: boolean): void {
  state.set(scheduleEnabledKey(slot), enabled);
}
