import { AttemptRepositories } from "./attempts.js";
import type { CodeRecord, EventRecord, LockRecord, SlotRecord, UnmanagedRecord } from "./records.js";
import { assignments, fromRow, toRow, type ColumnSpec } from "./rows.js";
import { definedOnly, type Row } from "./statements.js";

const LOCK_COLS: ColumnSpec = {
  bool: ["simulated", "is_battery", "online", "removed", "slots_synced", "battery_low"],
  json: ["capabilities", "reported_code_lengths", "errors", "custom_metadata", "lock_state", "lock_controls"],
};
const CODE_COLS: ColumnSpec = {
  bool: [
    "was_on_lock",
    "window_opened",
    "is_external_modification_allowed",
    "is_one_time_use",
    "is_offline_access_code",
    "prefer_native_scheduling",
    "use_backup_access_code_pool",
    "is_backup",
    "is_scheduled_on_device",
    "gave_up",
  ],
  json: ["errors", "warnings", "pending_mutations"],
};
const SLOT_COLS: ColumnSpec = { bool: ["masked"], json: ["schedule"] };
const UNMANAGED_COLS: ColumnSpec = { bool: ["deleting"] };

/**
 * The hub's repositories over one SQLite connection. Every mutation runs inside `transaction`,
 * which is also where events are appended, so a state change and its events commit together.
 */
export class Store extends AttemptRepositories {
  /**
   * Run `fn` with synchronous=FULL: its commit is on disk when it returns. The connection's default is
   * NORMAL (durable against a crash of the process): observations of locks are re-derived from the locks
   * after a power cut, and requests are flushed by Journal.runDurable off the event loop. Only the rare
   * transactions that must survive a power cut and cannot wait for a flush pay for the toggle.
   */
  durable<T>(fn: () => T): T {
    this.stmt("PRAGMA synchronous = FULL").run();
    try {
      return fn();
    } finally {
      this.stmt("PRAGMA synchronous = NORMAL").run();
    }
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      // Rolled back: the caches may hold writes that never happened.
      this.lockCacheComplete = false;
      this.lockCodes.clear();
      this.lockSlots.clear();
      this.lockUnmanaged.clear();
      this.dropOperationsCache();
      throw e;
    }
  }

  /*
   * Write-through caches of the rows the executors read on every pass (locks, each lock's codes and
   * observed slots; unmanaged codes until one is written). Every write goes through this class and
   * patches them; a rolled-back transaction drops them. Re-reading hundreds of wide rows per radio
   * command dominated the hub's overhead.
   */
  private lockCache: Map<string, LockRecord> = new Map();
  private lockCacheComplete = false;
  private readonly lockCodes = new Map<string, Map<string, CodeRecord>>();
  private readonly lockSlots = new Map<string, Map<number, SlotRecord>>();
  private readonly lockUnmanaged = new Map<string, UnmanagedRecord[]>();

  private allLocks(): Map<string, LockRecord> {
    if (!this.lockCacheComplete) {
      const rows = this.stmt("SELECT * FROM locks ORDER BY created_at, device_id").all() as Row[];
      this.lockCache = new Map(rows.map((r) => fromRow<LockRecord>(r, LOCK_COLS)).map((l) => [l.deviceId, l]));
      this.lockCacheComplete = true;
    }
    return this.lockCache;
  }

  private codesOf(deviceId: string): Map<string, CodeRecord> {
    let codes = this.lockCodes.get(deviceId);
    if (!codes) {
      const rows = this.stmt("SELECT * FROM access_codes WHERE device_id = ? ORDER BY created_at, access_code_id").all(deviceId) as Row[];
      codes = new Map(rows.map((r) => fromRow<CodeRecord>(r, CODE_COLS)).map((c) => [c.accessCodeId, c]));
      this.lockCodes.set(deviceId, codes);
    }
    return codes;
  }

  /** The cached map holding this code, if its lock's codes are cached. */
  private cachedCodes(accessCodeId: string): Map<string, CodeRecord> | undefined {
    for (const codes of this.lockCodes.values()) if (codes.has(accessCodeId)) return codes;
    return undefined;
  }

  // --- locks
  locks(): LockRecord[] {
    return [...this.allLocks().values()];
  }
  lock(deviceId: string): LockRecord | undefined {
    return this.allLocks().get(deviceId);
  }
  lockByRadio(radioId: string): LockRecord | undefined {
    for (const l of this.allLocks().values()) if (l.radioId === radioId) return l;
    return undefined;
  }
  insertLock(lock: LockRecord): void {
    const row = toRow(lock, LOCK_COLS);
    const cols = Object.keys(row);
    this.stmt(`INSERT INTO locks (${cols.join(",")}) VALUES (${cols.map((c) => `@${c}`).join(",")})`).run(row);
    this.lockCacheComplete = false; // re-read: the stored row has the defaults and order SQLite gives it
  }
  updateLock(deviceId: string, patch: Partial<Omit<LockRecord, "deviceId">>): void {
    const row = toRow(patch, LOCK_COLS);
    const cols = Object.keys(row);
    if (!cols.length) return;
    this.stmt(`UPDATE locks SET ${assignments(cols)} WHERE device_id = @device_id`).run({ ...row, device_id: deviceId });
    const cached = this.lockCacheComplete ? this.lockCache.get(deviceId) : undefined;
    if (cached) this.lockCache.set(deviceId, { ...cached, ...definedOnly(patch) });
  }

  /**
   * Removes a lock and everything the hub kept about it (its codes, slots, unmanaged codes, operations
   * still to run: the caller ends their action attempts first, agent/reconcile/lifecycle.ts).
   */
  deleteLock(deviceId: string): void {
    this.deleteLockOperations(deviceId);
    this.stmt("DELETE FROM access_codes WHERE device_id = ?").run(deviceId);
    this.stmt("DELETE FROM slots WHERE device_id = ?").run(deviceId);
    this.stmt("DELETE FROM unmanaged_codes WHERE device_id = ?").run(deviceId);
    this.stmt("DELETE FROM locks WHERE device_id = ?").run(deviceId);
    this.lockCache.delete(deviceId);
    this.lockCodes.delete(deviceId);
    this.lockSlots.delete(deviceId);
    this.lockUnmanaged.clear();
  }

  // --- managed access codes
  codes(filter: { deviceId?: string; ids?: readonly string[] } = {}): CodeRecord[] {
    if (filter.deviceId && !filter.ids) return [...this.codesOf(filter.deviceId).values()];
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.deviceId) {
      where.push("device_id = ?");
      params.push(filter.deviceId);
    }
    if (filter.ids) {
      where.push(`access_code_id IN (${filter.ids.map(() => "?").join(",") || "NULL"})`);
      params.push(...filter.ids);
    }
    const sql = `SELECT * FROM access_codes ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, access_code_id`;
    return this.stmt(sql).all(...params).map((r) => fromRow<CodeRecord>(r as Row, CODE_COLS));
  }
  code(accessCodeId: string): CodeRecord | undefined {
    const cached = this.cachedCodes(accessCodeId)?.get(accessCodeId);
    if (cached) return cached;
    const r = this.stmt("SELECT * FROM access_codes WHERE access_code_id = ?").get(accessCodeId) as Row | undefined;
    return r && fromRow<CodeRecord>(r, CODE_COLS);
  }
  insertCode(code: CodeRecord): void {
    const row = toRow(code, CODE_COLS);
    const cols = Object.keys(row);
    this.stmt(`INSERT INTO access_codes (${cols.join(",")}) VALUES (${cols.map((c) => `@${c}`).join(",")})`).run(row);
    const codes = this.lockCodes.get(code.deviceId);
    if (!codes) return;
    // Kept in the table's order (created_at, id): a new code usually sorts last, but codes created
    // within the same millisecond fall in by id.
    const sortsBefore = (a: CodeRecord, b: CodeRecord) => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.accessCodeId < b.accessCodeId);
    const list = [...codes.values()];
    let at = list.length;
    while (at > 0 && sortsBefore(code, list[at - 1]!)) at--;
    if (at === list.length) codes.set(code.accessCodeId, code);
    else {
      list.splice(at, 0, code);
      this.lockCodes.set(code.deviceId, new Map(list.map((c) => [c.accessCodeId, c])));
    }
  }
  updateCode(accessCodeId: string, patch: Partial<Omit<CodeRecord, "accessCodeId">>): void {
    const row = toRow(patch, CODE_COLS);
    const cols = Object.keys(row);
    if (!cols.length) return;
    this.stmt(`UPDATE access_codes SET ${assignments(cols)} WHERE access_code_id = @access_code_id`).run({ ...row, access_code_id: accessCodeId });
    const codes = this.cachedCodes(accessCodeId);
    if (!codes) return;
    const next = { ...codes.get(accessCodeId)!, ...definedOnly(patch) };
    if (patch.deviceId !== undefined && patch.deviceId !== codes.get(accessCodeId)!.deviceId) {
      codes.delete(accessCodeId);
      this.lockCodes.delete(patch.deviceId);
    } else codes.set(accessCodeId, next);
  }
  deleteCode(accessCodeId: string): void {
    this.stmt("DELETE FROM access_codes WHERE access_code_id = ?").run(accessCodeId);
    this.cachedCodes(accessCodeId)?.delete(accessCodeId);
  }

  // --- observed slots
  /** What each slot of a lock was last seen to hold. Read-only, and live: valid until the next write. */
  slots(deviceId: string): ReadonlyMap<number, SlotRecord> {
    let slots = this.lockSlots.get(deviceId);
    if (!slots) {
      const rows = this.stmt("SELECT * FROM slots WHERE device_id = ? ORDER BY slot").all(deviceId) as Row[];
      slots = new Map(rows.map((r) => fromRow<SlotRecord>(r, SLOT_COLS)).map((sl) => [sl.slot, sl]));
      this.lockSlots.set(deviceId, slots);
    }
    return slots;
  }
  putSlot(slot: SlotRecord): void {
    const row = toRow(slot, SLOT_COLS);
    this.stmt(
      `INSERT INTO slots (device_id, slot, code, masked, schedule, observed_at) VALUES (@device_id, @slot, @code, @masked, @schedule, @observed_at)
         ON CONFLICT (device_id, slot) DO UPDATE SET code = excluded.code, masked = excluded.masked, schedule = excluded.schedule, observed_at = excluded.observed_at`,
    ).run({ schedule: null, ...row });
    this.lockSlots.get(slot.deviceId)?.set(slot.slot, { ...slot, schedule: slot.schedule ?? null });
  }

  /** Forget every slot observation of a lock (a new lock took its place). */
  forgetSlots(deviceId: string): void {
    this.stmt("DELETE FROM slots WHERE device_id = ?").run(deviceId);
    this.lockSlots.delete(deviceId);
  }

  /** Forget what a slot was last seen to hold, so the planner reads it before trusting it. */
  forgetSlot(deviceId: string, slot: number): void {
    this.stmt("DELETE FROM slots WHERE device_id = ? AND slot = ?").run(deviceId, slot);
    this.lockSlots.get(deviceId)?.delete(slot);
  }

  // --- unmanaged codes
  unmanaged(filter: { deviceId?: string } = {}): UnmanagedRecord[] {
    if (!filter.deviceId) {
      const rows = this.stmt("SELECT * FROM unmanaged_codes ORDER BY device_id, slot").all() as Row[];
      return rows.map((r) => fromRow<UnmanagedRecord>(r, UNMANAGED_COLS));
    }
    // Every plan reads them; they change rarely (a keypad code found or gone), so any write drops the cache.
    let list = this.lockUnmanaged.get(filter.deviceId);
    if (!list) {
      const rows = this.stmt("SELECT * FROM unmanaged_codes WHERE device_id = ? ORDER BY slot").all(filter.deviceId) as Row[];
      list = rows.map((r) => fromRow<UnmanagedRecord>(r, UNMANAGED_COLS));
      this.lockUnmanaged.set(filter.deviceId, list);
    }
    return [...list];
  }
  unmanagedCode(accessCodeId: string): UnmanagedRecord | undefined {
    const r = this.stmt("SELECT * FROM unmanaged_codes WHERE access_code_id = ?").get(accessCodeId) as Row | undefined;
    return r && fromRow<UnmanagedRecord>(r, UNMANAGED_COLS);
  }
  putUnmanaged(u: UnmanagedRecord): void {
    this.lockUnmanaged.clear();
    this.stmt("DELETE FROM unmanaged_codes WHERE device_id = ? AND slot = ?").run(u.deviceId, u.slot);
    const row = toRow(u, UNMANAGED_COLS);
    const cols = Object.keys(row);
    this.stmt(`INSERT INTO unmanaged_codes (${cols.join(",")}) VALUES (${cols.map((c) => `@${c}`).join(",")})`).run(row);
  }
  updateUnmanaged(accessCodeId: string, patch: { name?: string | null; deleting?: boolean }): void {
    this.lockUnmanaged.clear();
    if (patch.name !== undefined) this.stmt("UPDATE unmanaged_codes SET name = ? WHERE access_code_id = ?").run(patch.name, accessCodeId);
    if (patch.deleting !== undefined) this.stmt("UPDATE unmanaged_codes SET deleting = ? WHERE access_code_id = ?").run(patch.deleting ? 1 : 0, accessCodeId);
  }
  deleteUnmanaged(accessCodeId: string): void {
    this.lockUnmanaged.clear();
    this.stmt("DELETE FROM unmanaged_codes WHERE access_code_id = ?").run(accessCodeId);
  }

  // --- events (outbox and history)
  appendEvent(eventId: string, eventType: string, body: Record<string, unknown>): number {
    const r = this.stmt("INSERT INTO events (event_id, event_type, device_id, access_code_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(eventId, eventType, (body.device_id as string | undefined) ?? null, (body.access_code_id as string | undefined) ?? null, JSON.stringify(body), body.created_at as string);
    return Number(r.lastInsertRowid);
  }
  unackedEvents(afterSeq = 0, limit = 500): EventRecord[] {
    return this.stmt("SELECT seq, event_id, event_type, body, acked_at FROM events WHERE acked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?")
      .all(afterSeq, limit)
      .map((r) => fromRow<EventRecord>(r as Row, { json: ["body"] }));
  }
  unackedCount(): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM events WHERE acked_at IS NULL").get() as { n: number }).n;
  }
  ackEvents(eventIds: readonly string[], at: string): number {
    const stmt = this.stmt("UPDATE events SET acked_at = ? WHERE event_id = ? AND acked_at IS NULL");
    let n = 0;
    this.transaction(() => {
      for (const id of eventIds) n += stmt.run(at, id).changes;
    });
    return n;
  }
  /** The newest `limit` events that pass every filter given, oldest first. `after`/`before` are exclusive, `since` inclusive. */
  events(filter: {
    deviceId?: string;
    deviceIds?: readonly string[];
    accessCodeId?: string;
    accessCodeIds?: readonly string[];
    eventIds?: readonly string[];
    types?: readonly string[];
    since?: string;
    after?: string;
    before?: string;
    limit: number;
  }): EventRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    const within = (col: string, values: readonly string[]) => (where.push(`${col} IN (${values.map(() => "?").join(",") || "NULL"})`), params.push(...values));
    if (filter.deviceId) (where.push("device_id = ?"), params.push(filter.deviceId));
    if (filter.deviceIds) within("device_id", filter.deviceIds);
    if (filter.accessCodeId) (where.push("access_code_id = ?"), params.push(filter.accessCodeId));
    if (filter.accessCodeIds) within("access_code_id", filter.accessCodeIds);
    if (filter.eventIds) within("event_id", filter.eventIds);
    if (filter.types?.length) within("event_type", filter.types);
    if (filter.since) (where.push("created_at >= ?"), params.push(filter.since));
    if (filter.after) (where.push("created_at > ?"), params.push(filter.after));
    if (filter.before) (where.push("created_at < ?"), params.push(filter.before));
    const sql = `SELECT * FROM (SELECT seq, event_id, event_type, body, acked_at FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?) ORDER BY seq`;
    return this.stmt(sql)
      .all(...params, filter.limit)
      .map((r) => fromRow<EventRecord>(r as Row, { json: ["body"] }));
  }

  /**
   * Drops history older than `beforeIso`: events the upstream acknowledged (and, on a hub with no upstream to
   * deliver to, every event), and finished action attempts no lock operation still refers to. An unacked
   * event of a hub with an upstream is kept however old: it is still owed.
   */
  pruneHistory(beforeIso: string, opts: { keepUnacked: boolean }): { events: number; actionAttempts: number } {
    return this.transaction(() => ({
      events: this.stmt(`DELETE FROM events WHERE created_at < ?${opts.keepUnacked ? " AND acked_at IS NOT NULL" : ""}`).run(beforeIso).changes,
      actionAttempts: this.stmt(
        "DELETE FROM action_attempts WHERE status != 'pending' AND updated_at < ? AND action_attempt_id NOT IN (SELECT action_attempt_id FROM lock_operations)",
      ).run(beforeIso).changes,
    }));
  }

  // --- request idempotency
  recordedResponse(requestId: string): { path: string; status: number; body: unknown } | undefined {
    const r = this.stmt("SELECT path, status, body FROM requests WHERE request_id = ?").get(requestId) as { path: string; status: number; body: string } | undefined;
    return r && { path: r.path, status: r.status, body: JSON.parse(r.body) as unknown };
  }
  recordResponse(requestId: string, path: string, status: number, body: unknown, at: number): void {
    this.stmt("INSERT OR REPLACE INTO requests (request_id, path, status, body, created_at) VALUES (?, ?, ?, ?, ?)").run(requestId, path, status, JSON.stringify(body), at);
  }
  pruneRequests(olderThan: number): number {
    return this.stmt("DELETE FROM requests WHERE created_at < ?").run(olderThan).changes;
  }
}
