// Action attempts in the store (migration 2, put/update/get/list) and their Seam shape.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { schemas } from "@seamapi/types/connect";
import { afterAll, describe, expect, it, vi } from "vitest";
import { paginate } from "../../agent/api/paginate.js";
import { actionAttemptRoutes } from "../../agent/api/routes/action-attempts.js";
import { shapeActionAttempt } from "../../agent/api/shape.js";
import { openDatabase } from "../../agent/store/db.js";
import { MIGRATIONS } from "../../agent/store/migrations.js";
import type { ActionAttemptRecord } from "../../agent/store/records.js";
import { Store } from "../../agent/store/store.js";
import { at, codeRecord, lockRecord } from "../support/records.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "lb-attempts-"));
  dirs.push(d);
  return d;
};

const DEVICE = lockRecord().deviceId;
const attempt = (n: number, over: Partial<ActionAttemptRecord> = {}): ActionAttemptRecord => ({
  id: `00000000-0000-4000-b000-${String(n).padStart(12, "0")}`,
  type: "DELETE_ACCESS_CODE",
  status: "success",
  deviceId: DEVICE,
  accessCodeId: null,
  result: {},
  error: null,
  createdAt: at(n),
  updatedAt: at(n),
  ...over,
});

describe("action attempts in the store", () => {
  it("migration 2 keeps attempts of version 1 and fills device_id from their access code", () => {
    const dir = tempDir();
    const v1 = new Database(path.join(dir, "lockbridge.db"));
    v1.exec(MIGRATIONS[0]!);
    v1.pragma("user_version = 1");
    const lock = lockRecord();
    const code = codeRecord({ deviceId: lock.deviceId });
    // A lock row as version 1 stored it (later migrations add lock state columns).
    const { lockState, lockControls, batteryLow, ...v1Lock } = lock;
    void lockState, void lockControls, void batteryLow;
    new Store(v1).insertLock(v1Lock as typeof lock);
    new Store(v1).insertCode(code);
    v1.prepare("INSERT INTO action_attempts (action_attempt_id, action_type, status, access_code_id, result, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(attempt(1).id, "UPDATE_ACCESS_CODE", "success", code.accessCodeId, "{}", "null", at(1));
    v1.prepare("INSERT INTO action_attempts (action_attempt_id, action_type, status, access_code_id, result, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)").run(attempt(2).id, "DELETE_ACCESS_CODE", "success", "00000000-0000-4000-9000-00000000dead", "{}", "null", at(2));
    v1.close();
    const store = new Store(openDatabase(dir));
    expect(Number(store.db.pragma("user_version", { simple: true }))).toBe(MIGRATIONS.length);
    expect(store.actionAttempt(attempt(1).id)).toEqual({ ...attempt(1), type: "UPDATE_ACCESS_CODE", accessCodeId: code.accessCodeId });
    // Its code is gone: the lock is unknown, the attempt stays readable.
    expect(store.actionAttempt(attempt(2).id)).toMatchObject({ deviceId: null, updatedAt: at(2) });
    store.db.close();
  });

  it("puts, completes, gets and lists (by ids, by device, with a limit), oldest first", () => {
    const store = new Store(openDatabase(tempDir()));
    const other = "00000000-0000-4000-8000-0000000000ff";
    store.putActionAttempt(attempt(1, { type: "LOCK_DOOR", status: "pending" }));
    store.putActionAttempt(attempt(2, { deviceId: other }));
    store.putActionAttempt(attempt(3));
    store.updateActionAttempt(attempt(1).id, { status: "error", error: { type: "lock_timeout", message: "no answer" }, updatedAt: at(9) });
    expect(store.actionAttempt(attempt(1).id)).toEqual(attempt(1, { type: "LOCK_DOOR", status: "error", error: { type: "lock_timeout", message: "no answer" }, updatedAt: at(9) }));
    // Completing an attempt does not move it in the list.
    expect(store.actionAttempts().map((a) => a.id)).toEqual([1, 2, 3].map((n) => attempt(n).id));
    expect(store.actionAttempts({ deviceId: DEVICE }).map((a) => a.id)).toEqual([attempt(1).id, attempt(3).id]);
    expect(store.actionAttempts({ ids: [attempt(3).id, attempt(2).id] }).map((a) => a.id)).toEqual([attempt(2).id, attempt(3).id]);
    expect(store.actionAttempts({ ids: [] })).toEqual([]);
    expect(store.actionAttempts({ limit: 2 })).toHaveLength(2);
    expect(store.actionAttempts({ offset: 1, limit: 1 }).map((a) => a.id)).toEqual([attempt(2).id]);
    expect(store.actionAttempts({ offset: 2 }).map((a) => a.id)).toEqual([attempt(3).id]);
    expect(store.actionAttempt("00000000-0000-4000-b000-000000000099")).toBeUndefined();
    store.updateActionAttempt("00000000-0000-4000-b000-000000000099", { status: "success" });
    expect(store.actionAttempts()).toHaveLength(3);
    store.db.close();
  });

  it("/action_attempts/list pages in SQL: 1200 attempts in pages of 500, in (created_at, insertion) order, by device too, never reading more than a page and one", async () => {
    const store = new Store(openDatabase(tempDir()));
    const other = "00000000-0000-4000-8000-0000000000ff";
    // Inserted out of time order, with ties on created_at and ids that sort against insertion order.
    const stored = Array.from({ length: 1200 }, (_, i) => attempt(100_000 - i, { createdAt: at((i * 7) % 300), deviceId: i % 3 === 0 ? other : DEVICE }));
    store.transaction(() => stored.forEach((a) => store.putActionAttempt(a)));
    const inOrder = stored.map((a, i) => ({ a, i })).sort((x, y) => x.a.createdAt.localeCompare(y.a.createdAt) || x.i - y.i).map(({ a }) => a.id);
    const route = actionAttemptRoutes().find((r) => r.path === "/action_attempts/list")!;
    if (route.kind !== "query") throw new Error("/action_attempts/list is a query");
    const reads = vi.spyOn(store, "actionAttempts");
    type Page = { action_attempts: Array<{ action_attempt_id: string }>; pagination: { has_next_page: boolean; next_page_cursor: string | null } };
    const list = async (query: Record<string, unknown>) => (await route.handle(route.params.parse(query), store)) as Page;
    const walk = async (query: Record<string, unknown>) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const page = await list({ ...query, ...(cursor ? { page_cursor: cursor } : {}) });
        pages.push(page);
        cursor = page.pagination.next_page_cursor;
      } while (cursor);
      return pages;
    };
    const idsOf = (pages: Page[]) => pages.flatMap((p) => p.action_attempts.map((a) => a.action_attempt_id));

    const pages = await walk({ limit: "500" });
    expect(pages.map((p) => [p.action_attempts.length, p.pagination.has_next_page])).toEqual([[500, true], [500, true], [200, false]]);
    expect(idsOf(pages)).toEqual(inOrder);
    // Same pages and cursors as paging the whole list in JS did, so cursors handed out before still read on.
    const cursors = [undefined, ...pages.map((p) => p.pagination.next_page_cursor)].slice(0, 3);
    expect(pages.map((p) => p.pagination)).toEqual(cursors.map((c) => paginate(inOrder, { limit: 500, page_cursor: c }).pagination));
    expect((await list({ limit: "500", page_cursor: cursors[2] })).action_attempts.map((a) => a.action_attempt_id)).toEqual(inOrder.slice(1000));

    const mine = new Set(stored.filter((a) => a.deviceId === DEVICE).map((a) => a.id));
    const byDevice = await walk({ device_id: DEVICE, limit: "500" });
    expect(byDevice.map((p) => [p.action_attempts.length, p.pagination.has_next_page])).toEqual([[500, true], [300, false]]);
    expect(idsOf(byDevice)).toEqual(inOrder.filter((id) => mine.has(id)));
    // No limit: the default page (500); an exact fit has no next page.
    const first = await list({});
    expect(first.action_attempts).toHaveLength(500);
    expect((await list({ device_id: DEVICE, limit: "800" })).pagination).toMatchObject({ has_next_page: false, next_page_cursor: null });
    const byIds = await list({ action_attempt_ids: [inOrder[7], inOrder[3], inOrder[1100]], limit: "2" });
    expect([byIds.action_attempts.map((a) => a.action_attempt_id), byIds.pagination.has_next_page]).toEqual([[inOrder[3], inOrder[7]], true]);

    // Every read asked SQL for one page and one row more, from the cursor's offset, and got no more.
    expect(reads.mock.calls.slice(0, 3).map(([filter]) => [filter?.offset, filter?.limit])).toEqual([[0, 501], [500, 501], [1000, 501]]);
    reads.mock.calls.forEach(([filter], n) => expect((reads.mock.results[n]!.value as unknown[]).length).toBeLessThanOrEqual(filter!.limit!));
    expect(reads.mock.results.map((r) => (r.value as unknown[]).length).slice(0, 3)).toEqual([501, 501, 200]);
    store.db.close();
  });

  it("shapes every status as a valid Seam action_attempt: result only on success, error only on failure", () => {
    const cases: ActionAttemptRecord[] = [
      attempt(1, { type: "CREATE_ACCESS_CODE", result: { access_code: { access_code_id: "x" } } }),
      attempt(2, { type: "UPDATE_ACCESS_CODE", status: "pending", result: { stale: true } }),
      attempt(3, { type: "LOCK_DOOR", status: "error", error: { type: "lock_timeout", message: "no answer" }, result: { stale: true } }),
      attempt(4, { type: "UNLOCK_DOOR", status: "error", error: null }),
    ];
    const shaped = cases.map(shapeActionAttempt);
    for (const s of shaped) expect(schemas.action_attempt.safeParse(s).error?.issues, JSON.stringify(s)).toBeUndefined();
    expect(shaped.map((s) => [s.status, s.result, s.error])).toEqual([
      ["success", { access_code: { access_code_id: "x" } }, null],
      ["pending", null, null],
      ["error", null, { type: "lock_timeout", message: "no answer" }],
      ["error", null, { type: "unknown_error", message: "The action failed." }],
    ]);
  });

  it("prunes history past its age: acknowledged events (every event with no upstream), finished attempts no lock operation holds", () => {
    const store = new Store(openDatabase(tempDir()));
    store.insertLock(lockRecord());
    const event = (n: number) => store.appendEvent(`00000000-0000-4000-a000-${String(n).padStart(12, "0")}`, "lock.unlocked", { device_id: DEVICE, created_at: at(n) });
    for (const n of [1, 2, 3, 10]) event(n);
    store.ackEvents(["00000000-0000-4000-a000-000000000001", "00000000-0000-4000-a000-000000000010"], at(11));
    store.putActionAttempt(attempt(1));
    store.putActionAttempt(attempt(2, { status: "pending", type: "UNLOCK_DOOR" }));
    store.putActionAttempt(attempt(3, { status: "error", type: "UNLOCK_DOOR", error: { type: "timeout", message: "x" } }));
    store.putLockOperation({ actionAttemptId: attempt(3).id, deviceId: DEVICE, locked: false, requestedAt: 3, deadlineAt: 4, attempts: 1, nextAttemptAt: null, lastError: null });
    store.putActionAttempt(attempt(10));
    const ids = () => store.events({ limit: 100 }).map((e) => e.eventId.slice(-2));
    // Before at(5): event 1 (acked) goes; 2 and 3 are owed to the upstream; 10 is recent.
    expect(store.pruneHistory(at(5), { keepUnacked: true })).toEqual({ events: 1, actionAttempts: 1 });
    expect(ids()).toEqual(["02", "03", "10"]);
    expect([1, 2, 3, 10].map((n) => store.actionAttempt(attempt(n).id)?.status ?? null)).toEqual([null, "pending", "error", "success"]);
    // No upstream: nothing is owed, old events go by age alone.
    expect(store.pruneHistory(at(5), { keepUnacked: false })).toEqual({ events: 2, actionAttempts: 0 });
    expect(ids()).toEqual(["10"]);
    store.db.close();
  });
});
