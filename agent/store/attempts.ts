// The store's records of what was asked of locks over time: action attempts (Seam's), the lock
// operations still to run (protocol.md §8) and pairing sessions (§7). Store (store.ts) extends this.
import type { ActionAttemptRecord, LockOperationRecord } from "./records.js";
import { assignments, fromRow, toRow, type ColumnSpec } from "./rows.js";
import { definedOnly, Statements, type Row } from "./statements.js";

const OPERATION_COLS: ColumnSpec = { bool: ["locked"], json: ["last_error"] };

function actionAttemptFromRow(r: Row): ActionAttemptRecord {
  return {
    id: r.action_attempt_id as string,
    type: r.action_type as string,
    status: r.status as ActionAttemptRecord["status"],
    deviceId: (r.device_id as string | null) ?? null,
    accessCodeId: (r.access_code_id as string | null) ?? null,
    result: (JSON.parse((r.result as string | null) ?? "{}") as Record<string, unknown> | null) ?? {},
    error: JSON.parse((r.error as string | null) ?? "null") as ActionAttemptRecord["error"],
    createdAt: r.created_at as string,
    updatedAt: (r.updated_at as string | null) ?? (r.created_at as string),
  };
}

export abstract class AttemptRepositories extends Statements {
  // --- pairing sessions (the pairing object is kept whole, as served)
  putPairing(p: { pairingId: string; protocol: string; status: string; body: object; startedAt: string; updatedAt: string }): void {
    this.stmt(
      `INSERT INTO pairings (pairing_id, protocol, status, body, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (pairing_id) DO UPDATE SET status = excluded.status, body = excluded.body, updated_at = excluded.updated_at`,
    ).run(p.pairingId, p.protocol, p.status, JSON.stringify(p.body), p.startedAt, p.updatedAt);
  }
  pairing(pairingId: string): unknown {
    const r = this.stmt("SELECT body FROM pairings WHERE pairing_id = ?").get(pairingId) as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as unknown) : undefined;
  }
  /** The newest pairings first. */
  pairings(limit: number): unknown[] {
    return (this.stmt("SELECT body FROM pairings ORDER BY started_at DESC, pairing_id LIMIT ?").all(limit) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as unknown);
  }
  /** Pairings not in a final status (after a crash: those that were running). */
  openPairings(finalStatuses: readonly string[]): unknown[] {
    const placeholders = finalStatuses.map(() => "?").join(",");
    return (this.stmt(`SELECT body FROM pairings WHERE status NOT IN (${placeholders})`).all(...finalStatuses) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as unknown);
  }
  prunePairings(olderThanIso: string): number {
    return this.stmt("DELETE FROM pairings WHERE updated_at < ?").run(olderThanIso).changes;
  }

  // --- lock operations (LOCK_DOOR / UNLOCK_DOOR attempts still to run), read on every plan: cached per lock
  private readonly lockOperationsCache = new Map<string, LockOperationRecord[]>();
  /** A rolled-back transaction may have patched the cache. */
  protected dropOperationsCache(): void {
    this.lockOperationsCache.clear();
  }
  /** Every operation of a lock that goes (its attempts are ended by the caller first). */
  protected deleteLockOperations(deviceId: string): void {
    this.stmt("DELETE FROM lock_operations WHERE device_id = ?").run(deviceId);
    this.lockOperationsCache.delete(deviceId);
  }
  /** Oldest first: a lock carries out its operations in the order they were asked for. */
  lockOperations(deviceId: string): readonly LockOperationRecord[] {
    let ops = this.lockOperationsCache.get(deviceId);
    if (!ops) {
      const rows = this.stmt("SELECT * FROM lock_operations WHERE device_id = ? ORDER BY requested_at, rowid").all(deviceId) as Row[];
      ops = rows.map((r) => fromRow<LockOperationRecord>(r, OPERATION_COLS));
      this.lockOperationsCache.set(deviceId, ops);
    }
    return ops;
  }
  lockOperation(actionAttemptId: string): LockOperationRecord | undefined {
    const r = this.stmt("SELECT * FROM lock_operations WHERE action_attempt_id = ?").get(actionAttemptId) as Row | undefined;
    return r && fromRow<LockOperationRecord>(r, OPERATION_COLS);
  }
  putLockOperation(op: LockOperationRecord): void {
    const row = toRow(op, OPERATION_COLS);
    const cols = Object.keys(row);
    this.stmt(`INSERT INTO lock_operations (${cols.join(",")}) VALUES (${cols.map((c) => `@${c}`).join(",")})`).run({ last_error: null, next_attempt_at: null, ...row });
    this.lockOperationsCache.delete(op.deviceId);
  }
  updateLockOperation(actionAttemptId: string, patch: Partial<Pick<LockOperationRecord, "attempts" | "nextAttemptAt" | "lastError">>): void {
    const row = toRow(patch, OPERATION_COLS);
    const cols = Object.keys(row);
    if (!cols.length) return;
    this.stmt(`UPDATE lock_operations SET ${assignments(cols)} WHERE action_attempt_id = @action_attempt_id`).run({ ...row, action_attempt_id: actionAttemptId });
    this.lockOperationsCache.clear();
  }
  deleteLockOperation(actionAttemptId: string): void {
    this.stmt("DELETE FROM lock_operations WHERE action_attempt_id = ?").run(actionAttemptId);
    this.lockOperationsCache.clear();
  }

  // --- action attempts
  putActionAttempt(a: ActionAttemptRecord): void {
    this.stmt(
      `INSERT OR REPLACE INTO action_attempts (action_attempt_id, action_type, status, device_id, access_code_id, result, error, created_at, updated_at)
         VALUES (@id, @type, @status, @deviceId, @accessCodeId, @result, @error, @createdAt, @updatedAt)`,
    ).run({ ...a, result: JSON.stringify(a.result), error: JSON.stringify(a.error) });
  }
  /** Complete (or fail) an attempt: pending ones are finished by whoever carries them out. */
  updateActionAttempt(id: string, patch: Partial<Pick<ActionAttemptRecord, "status" | "result" | "error" | "updatedAt">>): void {
    const current = this.actionAttempt(id);
    if (!current) return;
    const next = { ...current, ...definedOnly(patch) };
    this.stmt("UPDATE action_attempts SET status = ?, result = ?, error = ?, updated_at = ? WHERE action_attempt_id = ?").run(next.status, JSON.stringify(next.result), JSON.stringify(next.error), next.updatedAt, id);
  }
  actionAttempt(id: string): ActionAttemptRecord | undefined {
    const r = this.stmt("SELECT * FROM action_attempts WHERE action_attempt_id = ?").get(id) as Row | undefined;
    return r && actionAttemptFromRow(r);
  }
  /** Oldest first (the order they were made in); `offset`/`limit` page in SQL (/action_attempts/list). */
  actionAttempts(filter: { ids?: readonly string[]; deviceId?: string; limit?: number; offset?: number } = {}): ActionAttemptRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.ids) (where.push(`action_attempt_id IN (${filter.ids.map(() => "?").join(",") || "NULL"})`), params.push(...filter.ids));
    if (filter.deviceId) (where.push("device_id = ?"), params.push(filter.deviceId));
    const sql = `SELECT * FROM action_attempts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, rowid LIMIT ? OFFSET ?`;
    return this.stmt(sql)
      .all(...params, filter.limit ?? -1, filter.offset ?? 0)
      .map((r) => actionAttemptFromRow(r as Row));
  }
}
