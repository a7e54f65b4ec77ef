// Batched writes in the plan (pure): on a lock whose capabilities say several codes fit one radio command
// (multiCodeWrite), the first radio step, when it writes a plain code, takes the plain writes that follow
// it into one write_slots step, as many as fit the lock's frame. The store steps planned between them
// (the later codes' slot claims and "setting") move ahead of the batch; everything after it stays.
import { fitsOneWrite, type MultiCodeWrite } from "../../drivers/contract.js";
import { isRadioStep, type BatchedWrite, type Step } from "./steps.js";

type PlainWrite = Extract<Step, { kind: "write_slot" }> & { readonly schedule: null };

const isPlainWrite = (s: Step | undefined): s is PlainWrite => s?.kind === "write_slot" && s.schedule === null;

/**
 * Whether planning more codes could still add to the batch that starts at `first` (the first radio step):
 * the lock batches, and every radio step from `first` on is a plain write, all of them fitting one frame.
 */
export function batchMayGrow(steps: readonly Step[], first: number, limits: MultiCodeWrite | undefined): boolean {
  if (!limits || !isPlainWrite(steps[first])) return false;
  const codes: string[] = [];
  for (let i = first; i < steps.length; i++) {
    const s = steps[i]!;
    if (!isRadioStep(s)) continue;
    if (!isPlainWrite(s)) return false;
    codes.push(s.code);
  }
  return fitsOneWrite(limits, codes);
}

/** The plan with its first radio step grown into a write_slots batch where the lock allows one. */
export function gatherBatch(steps: readonly Step[], limits: MultiCodeWrite | undefined): readonly Step[] {
  const first = steps.findIndex(isRadioStep);
  const head = steps[first];
  if (!limits || !isPlainWrite(head)) return steps;
  const members: PlainWrite[] = [head];
  const moved: Step[] = [];
  let between: Step[] = [];
  let i = first + 1;
  for (; i < steps.length; i++) {
    const s = steps[i]!;
    if (!isRadioStep(s)) {
      between.push(s);
      continue;
    }
    if (!isPlainWrite(s) || !fitsOneWrite(limits, [...members, s].map((m) => m.code))) break;
    members.push(s);
    moved.push(...between);
    between = [];
  }
  if (members.length < 2) return steps;
  const writes: BatchedWrite[] = members.map((m) => ({ accessCodeId: m.accessCodeId, slot: m.slot, code: m.code }));
  return [...steps.slice(0, first), ...moved, { kind: "write_slots", writes }, ...between, ...steps.slice(i)];
}
