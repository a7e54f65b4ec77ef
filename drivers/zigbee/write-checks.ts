// Checks that need no radio traffic: a failure here is never worth a retry (as ../zwave/write-checks.ts).
import type { LockCapabilities, RadioResult, SlotSchedule } from "../contract.js";
import { failure } from "./door-lock.js";

/** Why `slot` is no slot of this lock, as a result, or null. */
export function slotProblem({ slotCount }: LockCapabilities, slot: number): RadioResult | null {
  return Number.isInteger(slot) && slot >= 1 && slot <= slotCount ? null : failure("rejected", `slot ${slot} is outside 1..${slotCount}`);
}

/** Why this write cannot go to the lock, as its result, or null. */
export function writeProblem(caps: LockCapabilities, slot: number, code: string, schedule: SlotSchedule | undefined): RadioResult | null {
  const bad = slotProblem(caps, slot);
  if (bad) return bad;
  if (!caps.codeLengths.includes(code.length)) return failure("rejected", `a PIN of ${code.length} digits does not fit (lengths ${caps.codeLengths.join(", ")})`);
  if ([...code].some((c) => !caps.charset.includes(c))) return failure("rejected", "the PIN has characters the lock does not accept");
  if (schedule && !caps.supportsNativeSchedule) return failure("rejected", "the lock cannot enforce a schedule");
  if (schedule && schedule.endsAt.getTime() <= schedule.startsAt.getTime()) return failure("rejected", "the schedule ends before it starts");
  return null;
}
