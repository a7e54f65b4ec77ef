// The executor's radio commands for code writes, clears and lock operations: each runs on the lock
// handle with the quick retries of retry.ts, counted, and what is in flight is known while it runs, so a
// report the lock sends meanwhile (a duplicate notice, the bolt moving) can be pinned on it.
import type { BatchContext, LockHandle, LockOperationResult, RadioResult } from "../../drivers/contract.js";
import { RadioError } from "../../drivers/contract.js";
import type { Clock } from "../util/clock.js";
import type { OperateStep } from "./lock-operations.js";
import { retryable, withQuickRetries, type RetryPolicy } from "./retry.js";
import type { SlotCommandStep } from "./slot-commands.js";
import type { RadioStep } from "./steps.js";

export type BatchStep = Extract<RadioStep, { kind: "write_slots" }>;

/** A code whose write is in flight (or just done: slot -1). */
export interface InFlightWrite {
  readonly accessCodeId: string;
  readonly slot: number;
}

export interface RadioStepOptions {
  readonly clock: Clock;
  readonly quickRetries: number;
  readonly quickRetryDelayMs: number;
  readonly onRadioCommand?: (kind: string, ok: boolean) => void;
  readonly stopped: () => boolean;
}

/** How long a finished write or operation still claims the lock's late reports about it. */
const LATE_REPORT_MS = 15_000;

export class RadioSteps {
  /** Radio commands sent (reads and checksums included: the executor counts those here too). */
  commands = 0;
  private writing: readonly InFlightWrite[] = [];
  private lastWrites: { readonly writes: readonly InFlightWrite[]; readonly at: number } | null = null;
  /** The lock operation in flight (or just done), so the lock's own report of it can name its attempt. */
  private operation: { actionAttemptId: string; locked: boolean; at: number; inFlight: boolean } | null = null;

  constructor(private readonly o: RadioStepOptions) {}

  isWriting(accessCodeId: string): boolean {
    return this.writing.some((w) => w.accessCodeId === accessCodeId);
  }

  /** The codes being written now, or written in the last seconds (slot -1): a duplicate notice may be theirs. */
  get currentWrites(): readonly InFlightWrite[] {
    if (this.writing.length) return this.writing;
    const last = this.lastWrites;
    return last && this.o.clock.now() - last.at < LATE_REPORT_MS ? last.writes.map((w) => ({ accessCodeId: w.accessCodeId, slot: -1 })) : [];
  }

  /** The LOCK_DOOR / UNLOCK_DOOR attempt behind a remote operation the lock reports now (in flight, or ended < 15 s ago). */
  attemptFor(locked: boolean): string | null {
    const op = this.operation;
    if (!op || op.locked !== locked || (!op.inFlight && this.o.clock.now() - op.at >= LATE_REPORT_MS)) return null;
    return op.actionAttemptId;
  }

  /** One lock operation (lock-operations.ts), with the same quick retries as a write. */
  async operate(handle: LockHandle, step: OperateStep): Promise<LockOperationResult> {
    this.operation = { actionAttemptId: step.actionAttemptId, locked: step.locked, at: this.o.clock.now(), inFlight: true };
    const kind = step.locked ? "lock_door" : "unlock_door";
    try {
      return await withQuickRetries(() => this.command(() => handle.setLocked(step.locked), kind), this.retryPolicy());
    } finally {
      this.operation = { ...this.operation, at: this.o.clock.now(), inFlight: false };
    }
  }

  /** One write or clear with a few quick retries for silence. */
  async execute(handle: LockHandle, step: SlotCommandStep): Promise<RadioResult> {
    return withQuickRetries(async () => {
      if (step.kind === "clear_slot") return this.command(() => handle.clearSlot(step.slot), step.kind);
      const schedule = step.schedule ? { startsAt: new Date(step.schedule.startsAt), endsAt: new Date(step.schedule.endsAt) } : undefined;
      return this.writes([{ accessCodeId: step.accessCodeId, slot: step.slot }], () => this.command(() => handle.writeSlot(step.slot, step.code, schedule), step.kind));
    }, this.retryPolicy());
  }

  /**
   * Several codes in one radio command (writeSlots), one result per code. A batch the lock did not answer
   * at all is asked again like a single write; mixed results are final here, and each code backs off
   * (or ends) on its own.
   */
  async executeBatch(handle: LockHandle, step: BatchStep, context: BatchContext): Promise<readonly RadioResult[]> {
    const writes = step.writes.map((w) => ({ slot: w.slot, code: w.code }));
    const attempt = async () => {
      const results = await this.writes(step.writes, () => this.batchCommand(handle, writes, context));
      const silent = results.every((r) => retryable(r));
      return { ok: !silent, ...(silent ? { failure: "timeout" as const } : {}), results };
    };
    return (await withQuickRetries(attempt, this.retryPolicy())).results;
  }

  private async writes<R>(writes: readonly InFlightWrite[], send: () => Promise<R>): Promise<R> {
    this.writing = writes.map((w) => ({ accessCodeId: w.accessCodeId, slot: w.slot }));
    try {
      return await send();
    } finally {
      this.lastWrites = { writes: this.writing, at: this.o.clock.now() };
      this.writing = [];
    }
  }

  private async batchCommand(handle: LockHandle, writes: ReadonlyArray<{ slot: number; code: string }>, context: BatchContext): Promise<readonly RadioResult[]> {
    this.commands++;
    try {
      const results = await handle.writeSlots(writes, context);
      for (const r of results) this.o.onRadioCommand?.("write_slot", r.ok);
      return results;
    } catch (e) {
      this.o.onRadioCommand?.("write_slot", false);
      return writes.map(() => failureOf(e));
    }
  }

  async command<R extends RadioResult | LockOperationResult>(fn: () => Promise<R>, kind: string): Promise<R | Extract<RadioResult, { ok: false }>> {
    this.commands++;
    try {
      const r = await fn();
      this.o.onRadioCommand?.(kind, r.ok);
      return r;
    } catch (e) {
      this.o.onRadioCommand?.(kind, false);
      return failureOf(e);
    }
  }

  private retryPolicy(): RetryPolicy {
    return { quickRetries: this.o.quickRetries, quickRetryDelayMs: this.o.quickRetryDelayMs, sleep: (ms) => this.o.clock.sleep(ms), stopped: this.o.stopped };
  }
}

/** A driver call that threw, as its result: the driver's own RadioError, anything else a timeout. */
function failureOf(e: unknown): Extract<RadioResult, { ok: false }> {
  if (e instanceof RadioError) return { ok: false, failure: e.failure, message: e.message };
  return { ok: false, failure: "timeout", message: e instanceof Error ? e.message : String(e) };
}
