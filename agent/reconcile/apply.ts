import type { Tx } from "../events/journal.js";
import type { CodeRecord, Issue } from "../store/records.js";
import type { CodeStep, StoreStep } from "./steps.js";
import { isPoolBackup } from "../codes/backup.js";
import { applyFailOperation, type FinishedOperation } from "./lock-operations.js";

type Executors = { [K in CodeStep["kind"]]: (tx: Tx, step: Extract<CodeStep, { kind: K }>, code: CodeRecord) => void };

const touch = (tx: Tx, code: CodeRecord, patch: Partial<CodeRecord>) => {
  tx.store.updateCode(code.accessCodeId, { ...patch, updatedAt: tx.nowIso });
  tx.code(code.accessCodeId, code.deviceId);
};

export function withIssue(code: CodeRecord, issue: Omit<Issue, "createdAt">, at: string): Pick<CodeRecord, "errors" | "warnings"> {
  const full: Issue = { ...issue, createdAt: at };
  const errors = code.errors.filter((i) => i.code !== issue.code);
  const warnings = code.warnings.filter((i) => i.code !== issue.code);
  return issue.level === "error" ? { errors: [...errors, full], warnings } : { errors, warnings: [...warnings, full] };
}

export function withoutIssue(code: CodeRecord, issueCode: string, level?: "error" | "warning"): Pick<CodeRecord, "errors" | "warnings"> {
  return {
    errors: level === "warning" ? [...code.errors] : code.errors.filter((i) => i.code !== issueCode),
    warnings: level === "error" ? [...code.warnings] : code.warnings.filter((i) => i.code !== issueCode),
  };
}

/** One executor per store step kind (balena-supervisor style): data in, one store change out. */
export const storeExecutors: Executors = {
  claim_slot: (tx, s, c) => touch(tx, c, { slot: s.slot }),
  release_slot: (tx, _s, c) => touch(tx, c, { slot: null }),
  set_status: (tx, s, c) => {
    const patch: { -readonly [K in keyof CodeRecord]?: CodeRecord[K] } = { status: s.status };
    if (s.status === "setting" || s.status === "removing") Object.assign(patch, { attemptStartedAt: tx.now, attempts: 0, nextAttemptAt: null });
    else Object.assign(patch, { attemptStartedAt: null, attempts: 0, nextAttemptAt: null });
    if (s.onLock) Object.assign(patch, { wasOnLock: true, pendingMutations: [] });
    if (s.scheduledOnDevice !== undefined) patch.isScheduledOnDevice = s.scheduledOnDevice;
    touch(tx, c, patch);
  },
  raise_issue: (tx, s, c) => touch(tx, c, withIssue(c, s.issue, tx.nowIso)),
  clear_issue: (tx, s, c) => touch(tx, c, withoutIssue(c, s.code, s.level)),
  give_up: (tx, _s, c) => touch(tx, c, { gaveUp: true, attemptStartedAt: null, nextAttemptAt: null }),
  expire: (tx, _s, c) => touch(tx, c, { desired: "absent" }),
  open_window: (tx, _s, c) => touch(tx, c, { windowOpened: true }),
  finish_delete: (tx, _s, c) => {
    if (!isPoolBackup(c)) tx.emit("access_code.deleted", { deviceId: c.deviceId, accessCodeId: c.accessCodeId, code: c.code });
    tx.store.deleteCode(c.accessCodeId);
    tx.deletedCode(c.accessCodeId);
    tx.kick(c.deviceId);
  },
  emit: (tx, s, c) => {
    if (isPoolBackup(c)) return;
    tx.emit(s.type, { deviceId: c.deviceId, accessCodeId: c.accessCodeId, ...(s.withCode ? { code: c.code } : {}), codeIssues: [...c.errors, ...c.warnings] });
  },
};

/** Apply store steps in order; each reads the code as the previous step left it. Returns the lock operations that ended. */
export function applyStoreSteps(tx: Tx, steps: readonly StoreStep[]): FinishedOperation[] {
  const finished: FinishedOperation[] = [];
  for (const step of steps) {
    if (step.kind === "fail_operation") {
      const done = applyFailOperation(tx, step);
      if (done) finished.push(done);
      continue;
    }
    const code = tx.store.code(step.accessCodeId);
    if (!code) continue;
    (storeExecutors[step.kind] as (tx: Tx, s: CodeStep, c: CodeRecord) => void)(tx, step, code);
  }
  return finished;
}
