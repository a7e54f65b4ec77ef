import type { AccessCodeEventType } from "../events/seam-events.js";
import type { CodeStatus, Issue } from "../store/records.js";

/** A lock-enforced window to program with a code. */
export interface StepSchedule {
  readonly startsAt: string;
  readonly endsAt: string;
}

export type IssueSpec = Omit<Issue, "createdAt">;

/** One code of a write_slots batch: a plain code (no window) into a slot it has claimed. */
export interface BatchedWrite {
  readonly accessCodeId: string;
  readonly slot: number;
  readonly code: string;
}

/**
 * What the reconciler can do, as data (after balena-supervisor's composition steps).
 * Radio steps touch the lock; the others only touch the store and the outbox.
 */
export type Step =
  | { readonly kind: "write_slot"; readonly accessCodeId: string; readonly slot: number; readonly code: string; readonly schedule: StepSchedule | null }
  /** Several plain codes in one radio command, as many as the lock's multiCodeWrite fits (plan-batches.ts). */
  | { readonly kind: "write_slots"; readonly writes: readonly BatchedWrite[] }
  | { readonly kind: "clear_slot"; readonly slot: number; readonly accessCodeId: string | null }
  | { readonly kind: "read_slot"; readonly slot: number }
  | { readonly kind: "claim_slot"; readonly accessCodeId: string; readonly slot: number }
  | { readonly kind: "release_slot"; readonly accessCodeId: string }
  | { readonly kind: "set_status"; readonly accessCodeId: string; readonly status: CodeStatus; readonly scheduledOnDevice?: boolean; readonly onLock?: boolean }
  | { readonly kind: "raise_issue"; readonly accessCodeId: string; readonly issue: IssueSpec }
  /** Clear an issue by code; only at `level` when given (an adopted change keeps its warning). */
  | { readonly kind: "clear_issue"; readonly accessCodeId: string; readonly code: string; readonly level?: "error" | "warning" }
  | { readonly kind: "give_up"; readonly accessCodeId: string }
  | { readonly kind: "expire"; readonly accessCodeId: string }
  | { readonly kind: "open_window"; readonly accessCodeId: string }
  | { readonly kind: "finish_delete"; readonly accessCodeId: string }
  | { readonly kind: "emit"; readonly type: AccessCodeEventType; readonly accessCodeId: string; readonly withCode?: boolean }
  /** Throw (locked) or withdraw the bolt for a pending LOCK_DOOR / UNLOCK_DOOR action attempt (protocol.md §8). */
  | { readonly kind: "operate_lock"; readonly actionAttemptId: string; readonly locked: boolean }
  /** End a LOCK_DOOR / UNLOCK_DOOR attempt the hub cannot carry out: lock offline or gone, or past its deadline. */
  | { readonly kind: "fail_operation"; readonly actionAttemptId: string; readonly error: OperationError };

/** The `error` of a failed action attempt, in Seam's shape. */
export interface OperationError {
  readonly type: string;
  readonly message: string;
}

export type RadioStep = Extract<Step, { kind: "write_slot" | "write_slots" | "clear_slot" | "read_slot" | "operate_lock" }>;
export type StoreStep = Exclude<Step, RadioStep>;
/** Store steps about one access code (all but the lock-operation ones). */
export type CodeStep = Exclude<StoreStep, { kind: "fail_operation" }>;

export const isRadioStep = (s: Step): s is RadioStep =>
  s.kind === "write_slot" || s.kind === "write_slots" || s.kind === "clear_slot" || s.kind === "read_slot" || s.kind === "operate_lock";

export interface Plan {
  readonly steps: readonly Step[];
  /** Epoch ms at which the plan could change with time alone (window edges, delays, retries); null if never. */
  readonly wakeAt: number | null;
}
