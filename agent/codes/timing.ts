import type { CodeRecord, LockRecord } from "../store/records.js";

export interface TimingPolicy {
  readonly programAheadMs: number;
  readonly nativeAheadMs: number;
}

/** The lock enforces this code's window itself (protocol.md §3, native schedules). */
export function usesNativeSchedule(code: Pick<CodeRecord, "startsAt" | "endsAt" | "preferNativeScheduling">, lock: LockRecord): boolean {
  return Boolean(code.startsAt && code.endsAt && code.preferNativeScheduling && lock.capabilities.supportsNativeSchedule);
}

/** When the hub programs a time-bound code: 72 h ahead with a native schedule, program_ahead_ms otherwise. */
export function programTime(code: Pick<CodeRecord, "startsAt" | "endsAt" | "preferNativeScheduling">, lock: LockRecord, policy: TimingPolicy): number {
  if (!code.startsAt) return Number.NEGATIVE_INFINITY;
  const ahead = usesNativeSchedule(code, lock) ? policy.nativeAheadMs : policy.programAheadMs;
  return Date.parse(code.startsAt) - ahead;
}

export const endTime = (code: Pick<CodeRecord, "endsAt">): number => (code.endsAt ? Date.parse(code.endsAt) : Number.POSITIVE_INFINITY);
export const startTime = (code: Pick<CodeRecord, "startsAt">): number => (code.startsAt ? Date.parse(code.startsAt) : Number.NEGATIVE_INFINITY);
