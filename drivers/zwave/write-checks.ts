// Z-Wave's rules for a slot write, on top of every radio's (drivers/write-checks.ts): a user code of 4 to 10
// characters (User Code CC), and a schedule that fits a Schedule Entry Lock year-day slot.
import type { LockCapabilities, RadioResult, SlotSchedule } from "../contract.js";
import { writeProblem as checkWrite, type WriteRules } from "../write-checks.js";
import { ZWAVE_MAX_CODE_LENGTH, ZWAVE_MIN_CODE_LENGTH } from "./options.js";
import { toYearDaySchedule } from "./schedule.js";

export { slotProblem } from "../write-checks.js";

const ZWAVE_RULES: WriteRules = {
  codeLength: (_caps, code) =>
    code.length < ZWAVE_MIN_CODE_LENGTH || code.length > ZWAVE_MAX_CODE_LENGTH
      ? `a Z-Wave user code has ${ZWAVE_MIN_CODE_LENGTH}..${ZWAVE_MAX_CODE_LENGTH} characters, got ${code.length}`
      : null,
  schedule(schedule) {
    try {
      toYearDaySchedule(schedule);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  },
};

/** Why this write cannot go to a Z-Wave lock, as its result, or null. */
export function writeProblem(caps: LockCapabilities, slot: number, code: string, schedule?: SlotSchedule): RadioResult | null {
  return checkWrite(caps, slot, code, schedule, ZWAVE_RULES);
}
