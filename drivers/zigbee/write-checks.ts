// Zigbee's rules for a slot write, on top of every radio's (../write-checks.ts): a PIN of a length the lock
// reported (Door Lock min/max PIN code length). A failure here is never worth a retry.
import type { LockCapabilities, RadioResult, SlotSchedule } from "../contract.js";
import { failed, slotProblem as slotError, writeProblem as checkWrite, type WriteRules } from "../write-checks.js";

const ZIGBEE_RULES: WriteRules = {
  codeLength: (caps, code) => (caps.codeLengths.includes(code.length) ? null : `a PIN of ${code.length} digits does not fit (lengths ${caps.codeLengths.join(", ")})`),
};

/** Why `slot` is no slot of this lock, as a result, or null. */
export function slotProblem(caps: LockCapabilities, slot: number): RadioResult | null {
  const problem = slotError(caps, slot);
  return problem ? failed(problem.failure, problem.message) : null;
}

/** Why this write cannot go to the lock, as its result, or null. */
export function writeProblem(caps: LockCapabilities, slot: number, code: string, schedule: SlotSchedule | undefined): RadioResult | null {
  return checkWrite(caps, slot, code, schedule, ZIGBEE_RULES);
}
