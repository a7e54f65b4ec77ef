// Checks on a slot call that need no radio traffic, the same for every radio: a failure here is never worth
// a retry. Each radio adds its own rules (Z-Wave's code length range and year-day schedules; a Zigbee lock's
// reported PIN lengths) through WriteRules.
import { RadioError, type LockCapabilities, type RadioFailure, type RadioResult, type SlotSchedule } from "./contract.js";

/** A failed radio result. */
export function failed(failure: RadioFailure, message: string): RadioResult {
  return { ok: false, failure, message };
}

/** Why `slot` cannot be addressed on a lock with these capabilities, or null. */
export function slotProblem({ slotCount }: LockCapabilities, slot: number): RadioError | null {
  // Unknown is not "none": a lock whose capabilities the radio cannot tell has refused nothing.
  if (slotCount < 1) return new RadioError("offline", "the lock's user-code capabilities are not known");
  if (!Number.isInteger(slot) || slot < 1 || slot > slotCount) return new RadioError("rejected", `slot ${slot} is outside 1..${slotCount}`);
  return null;
}

/** A radio's own rules, beyond what every lock checks; each answers why not, or null. */
export interface WriteRules {
  codeLength(caps: LockCapabilities, code: string): string | null;
  /** Called only for a schedule the lock can enforce that ends after it starts. */
  schedule?(schedule: SlotSchedule): string | null;
}

/** Why this write cannot go to the lock, as its result, or null. */
export function writeProblem(caps: LockCapabilities, slot: number, code: string, schedule: SlotSchedule | undefined, rules: WriteRules): RadioResult | null {
  const badSlot = slotProblem(caps, slot);
  if (badSlot) return failed(badSlot.failure, badSlot.message);
  const badLength = rules.codeLength(caps, code);
  if (badLength) return failed("rejected", badLength);
  if ([...code].some((c) => !caps.charset.includes(c))) return failed("rejected", `the code contains characters the lock does not accept (allowed: ${caps.charset})`);
  if (!schedule) return null;
  if (!caps.supportsNativeSchedule) return failed("rejected", "this lock cannot enforce a schedule");
  if (schedule.endsAt.getTime() <= schedule.startsAt.getTime()) return failed("rejected", "the schedule ends before it starts");
  const badSchedule = rules.schedule?.(schedule) ?? null;
  return badSchedule ? failed("rejected", badSchedule) : null;
}
