// The planner's part for LOCK_DOOR / UNLOCK_DOOR attempts (protocol.md §8). Pure, like planner.ts.
// A lock carries out its operations one at a time, in the order they were asked for, ahead of pending
// code work (a person is waiting at the door), and never after their deadline: a door must not open
// minutes after someone asked. The executor runs each one as its own radio command, so an operation
// waits for a slot write in flight and never interleaves with it.
import type { LockOperationRecord, LockRecord } from "../store/records.js";
import type { OperationError, Step } from "./steps.js";

const verb = (op: LockOperationRecord) => (op.locked ? "lock" : "unlock");

export const operationErrors = {
  removed: (op: LockOperationRecord): OperationError => ({ type: "device_removed", message: `The lock was removed from its radio network; it cannot ${verb(op)}.` }),
  offline: (op: LockOperationRecord): OperationError => ({ type: "device_offline", message: `The lock is not answering the hub's radio; it did not ${verb(op)}.` }),
  /** The deadline passed before the hub could reach the lock at all (its radio was still starting). */
  expired: (op: LockOperationRecord): OperationError => ({ type: "action_attempt_expired", message: `The hub could not reach the lock in time to ${verb(op)} it; nothing was sent.` }),
};

/**
 * Appends the steps for a lock's pending operations (oldest first) and their wake-up times.
 * `attached`: the lock's radio has brought it up in this run (its executor has a handle).
 */
export function planOperations(ops: readonly LockOperationRecord[], lock: LockRecord, attached: boolean, now: number, steps: Step[], wakes: number[]): void {
  for (const op of ops) {
    const fail = (error: OperationError) => steps.push({ kind: "fail_operation", actionAttemptId: op.actionAttemptId, error });
    if (lock.removed) {
      fail(operationErrors.removed(op));
      continue;
    }
    if (now >= op.deadlineAt) {
      fail(op.lastError ?? (op.attempts > 0 ? operationErrors.offline(op) : operationErrors.expired(op)));
      continue;
    }
    // Known to be off the air: say so now rather than keep the caller waiting for the deadline.
    if (attached && !lock.online) {
      fail(op.lastError ?? operationErrors.offline(op));
      continue;
    }
    wakes.push(op.deadlineAt);
    // The oldest one goes first; the others wait for it (its retry, or the radio coming up).
    if (op.nextAttemptAt !== null && op.nextAttemptAt > now) {
      wakes.push(op.nextAttemptAt);
      return;
    }
    if (attached) steps.push({ kind: "operate_lock", actionAttemptId: op.actionAttemptId, locked: op.locked });
    return;
  }
}
