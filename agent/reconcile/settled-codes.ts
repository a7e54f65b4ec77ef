import type { CodeRecord, LockRecord, SlotRecord } from "../store/records.js";
import type { ReconcilePolicy } from "./planner.js";

interface Settled {
  readonly lock: LockRecord;
  readonly slot: SlotRecord | undefined;
  readonly policy: ReconcilePolicy;
  /** The earliest of the code's wakes after it was planned: a time condition may flip there. */
  readonly until: number;
  readonly wakes: readonly number[];
}

/**
 * The codes whose last plan asked for nothing, remembered by record identity. The executor plans after
 * every radio command, and a lock with hundreds of settled codes made each plan walk all of them; a
 * remembered code costs a lookup. The Store replaces a record on every write, so an entry holds while
 * the code, its lock and its observed slot are the very objects it was planned with, the policy is the
 * same, and the clock has not reached one of the code's wakes (every time condition the planner tests
 * on a settled code is one of its wakes). The plan is the same with or without it (planner tests).
 */
export class SettledCodes {
  private readonly entries = new WeakMap<CodeRecord, Settled>();

  /** The code's wakes if it is still settled as planned, else undefined (plan it). */
  wakesOf(code: CodeRecord, lock: LockRecord, slot: SlotRecord | undefined, policy: ReconcilePolicy, now: number): readonly number[] | undefined {
    const e = this.entries.get(code);
    if (!e || e.lock !== lock || e.slot !== slot || e.policy !== policy || now >= e.until) return undefined;
    return e.wakes;
  }

  remember(code: CodeRecord, lock: LockRecord, slot: SlotRecord | undefined, policy: ReconcilePolicy, now: number, wakes: readonly number[]): void {
    let until = Number.POSITIVE_INFINITY;
    for (const w of wakes) if (w > now && w < until) until = w;
    this.entries.set(code, { lock, slot, policy, until, wakes });
  }
}
