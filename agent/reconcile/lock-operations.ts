// The executor's part for LOCK_DOOR / UNLOCK_DOOR (protocol.md §8): run an operate_lock step on the
// lock, record what the lock said, and end the action attempt. Retries are the code writes' own: a few
// quick ones inside the step for silence, then backoff between plans, never past the deadline
// (plan-operations.ts fails it there).
import type { LockOperationResult } from "../../drivers/contract.js";
import type { Tx } from "../events/journal.js";
import type { LockOperationRecord } from "../store/records.js";
import { operationErrors } from "./plan-operations.js";
import { backoffMs, retryable } from "./retry.js";
import type { OperationError, RadioStep, StoreStep } from "./steps.js";

export type OperateStep = Extract<RadioStep, { kind: "operate_lock" }>;
export type FailOperationStep = Extract<StoreStep, { kind: "fail_operation" }>;

/** An attempt that ended, for metrics (counted after the commit). */
export interface FinishedOperation {
  readonly locked: boolean;
  readonly status: "success" | "error";
}

/** The action attempt's error for a refusal or silence, in words a caller can act on. */
function errorFor(op: LockOperationRecord, r: Extract<LockOperationResult, { ok: false }>): OperationError {
  const verb = op.locked ? "lock" : "unlock";
  switch (r.failure) {
    case "timeout":
    case "offline":
      return operationErrors.offline(op);
    case "mismatch":
      return { type: "lock_jammed", message: `The lock answered but did not ${verb}: ${r.message}` };
    default:
      return { type: "lock_refused", message: `The lock refused to ${verb}: ${r.message}` };
  }
}

/** Ends the attempt: the row goes, the action attempt gets its outcome. */
function finish(tx: Tx, op: LockOperationRecord, outcome: { status: "success" } | { status: "error"; error: OperationError }): FinishedOperation {
  tx.store.deleteLockOperation(op.actionAttemptId);
  tx.store.updateActionAttempt(op.actionAttemptId, {
    status: outcome.status,
    result: outcome.status === "success" ? { was_confirmed_by_device: true } : {},
    error: outcome.status === "error" ? outcome.error : null,
    updatedAt: tx.nowIso,
  });
  tx.kick(op.deviceId);
  return { locked: op.locked, status: outcome.status };
}

/**
 * Records what the lock answered to an operate_lock step: success ends the attempt, a refusal ends it
 * with the lock's reason, silence backs off (the planner fails it at the deadline, or at once once the
 * lock is known to be offline). Returns the attempt when it ended.
 */
export function recordOperation(tx: Tx, step: OperateStep, result: LockOperationResult, maxBackoffMs: number): FinishedOperation | null {
  const op = tx.store.lockOperation(step.actionAttemptId);
  if (!op) return null;
  if (result.ok) return finish(tx, op, { status: "success" });
  const error = errorFor(op, result);
  if (!retryable(result)) return finish(tx, op, { status: "error", error });
  const attempts = op.attempts + 1;
  const backoff = backoffMs(attempts, maxBackoffMs);
  tx.store.updateLockOperation(op.actionAttemptId, { attempts, nextAttemptAt: tx.now + backoff, lastError: error });
  tx.kick(op.deviceId);
  return null;
}

/** Applies a fail_operation store step. */
export function applyFailOperation(tx: Tx, step: FailOperationStep): FinishedOperation | null {
  const op = tx.store.lockOperation(step.actionAttemptId);
  return op ? finish(tx, op, { status: "error", error: step.error }) : null;
}
