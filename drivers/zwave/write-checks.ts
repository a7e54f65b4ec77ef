// Checks on a slot call that need no radio traffic: a failure here is never worth a retry.
import { RadioError, type LockCapabilities, type RadioResult, type SlotSchedule } from "../contract.js";
import { ZWAVE_MAX_CODE_LENGTH, ZWAVE_MIN_CODE_LENGTH } from "./options.js";
import { failed } from "./radio-errors.js";
import { toYearDaySchedule } from "./schedule.js";

/** Why `slot` cannot be addressed on a lock with these capabilities, or null. */
export function slotProblem({ slotCount }: LockCapabilities, slot: number): RadioError | null {
  // Unknown is not "none": a lock whose capabilities zwave-js cannot tell has refused nothing.
  if (slotCount < 1) return new RadioError("offline", "the lock's user-code capabilities are not known");
  if (!Number.isInteger(slot) || slot < 1 || slot > slotCount) return new RadioError("rejected", `slot ${slot} is outside 1..${slotCount}`);
  return null;
}

/** Why this write cannot go to the lock, as its result, or null. */
export function writeProblem(caps: LockCapabilities, slot: number, code: string, schedule?: SlotSchedule): RadioResult | null {
  const badSlot = slotProblem(caps, slot);
  if (badSlot) return failed(badSlot.failure, badSlot.message);
  const { charset, supportsNativeSchedule } = caps;
  if (code.length < ZWAVE_MIN_CODE_LENGTH || code.length > ZWAVE_MAX_CODE_LENGTH) {
    return failed("rejected", `a Z-Wave user code has ${ZWAVE_MIN_CODE_LENGTH}..${ZWAVE_MAX_CODE_LENGTH} characters, got ${code.length}`);
  }
  if ([...code].some((c) => !charset.includes(c))) {
    return failed("rejected", `the code contains characters the lock does not accept (allowed: ${charset})`);
  }
  if (schedule) {
    if (!supportsNativeSchedule) return failed("rejected", "this lock cannot enforce a schedule (no Schedule Entry Lock year-day slots)");
    try {
      toYearDaySchedule(schedule);
    } catch (e) {
      return failed("rejected", e instanceof Error ? e.message : String(e));
    }
  }
  return null;
}
