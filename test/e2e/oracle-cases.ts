// The oracle's cases: one table, every path the hub serves in Seam's namespace (test/e2e/oracle.test.ts
// fails for a served path without a case, and for an implemented OpenAPI parameter no case passes).
//
// To add a case: append { path, what, params, check? } to CASES. `params(ctx)` builds the request
// (it may create what it needs through ctx: codes, unmanaged codes); the runner POSTs it on each radio's
// lock, expects 200, validates the body against the OpenAPI and each object against its zod schema, then
// runs `check(body, ctx, params)` for what the schemas cannot say (filters, values, side effects).
// `destructive: true` runs after every other case of that radio (e.g. removing the lock).
import { expect } from "vitest";

export type Body = Record<string, any>;

export interface OracleContext {
  readonly radio: "zwave" | "zigbee";
  /** The device of this radio's lock (as /devices/get answered it at the start). */
  readonly deviceId: string;
  readonly lockName: string;
  readonly connectedAccountId: string;
  /** POST with a JSON body; the answer as parsed JSON. */
  call(path: string, params: Record<string, unknown>): Promise<{ status: number; body: Body }>;
  /** A fresh PIN the lock takes (unique in this run, not trivial, registered for the log leak scan). */
  pin(length?: number): string;
  /** A managed code on this lock, confirmed `set`. */
  setCode(extra?: Record<string, unknown>): Promise<Body>;
  /** An unmanaged code on this lock (typed at the simulated keypad), once the hub lists it. */
  unmanagedCode(): Promise<Body>;
  /** ISO time `ms` from now. */
  at(ms: number): string;
  /** Wait until `fn` is truthy. */
  until<T>(fn: () => Promise<T> | T, what: string, ms?: number): Promise<NonNullable<T>>;
}

export interface OracleCase {
  readonly path: string;
  readonly what: string;
  params(ctx: OracleContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  check?(body: Body, ctx: OracleContext, params: Record<string, unknown>): Promise<void> | void;
  /** Retry the call while this holds (e.g. a backup pool still filling). */
  retryWhile?(res: { status: number; body: Body }): boolean;
  readonly destructive?: boolean;
}

const DAY = 86_400_000;
const get = async (ctx: OracleContext, id: string) => (await ctx.call("/access_codes/get", { access_code_id: id })).body.access_code as Body;
const ids = (list: Body[], key: string) => list.map((x) => x[key] as string);

/** Every item of a paginated list, page by page from `first` (a page already fetched) through next_page_cursor. */
async function walkPages(ctx: OracleContext, path: string, params: Record<string, unknown>, first: Body, key: string, id: string): Promise<string[]> {
  const seen = ids(first[key] as Body[], id);
  let cursor = first.pagination.next_page_cursor as string | null;
  expect(first.pagination.has_next_page).toBe(cursor !== null);
  while (cursor) {
    const next = (await ctx.call(path, { ...params, page_cursor: cursor })).body;
    seen.push(...ids(next[key] as Body[], id));
    cursor = next.pagination.next_page_cursor;
  }
  return seen;
}

/** An action attempt once it is no longer pending. */
async function attemptDone(ctx: OracleContext, id: string): Promise<Body> {
  return ctx.until(async () => {
    const a = (await ctx.call("/action_attempts/get", { action_attempt_id: id })).body.action_attempt as Body;
    return a.status === "pending" ? null : a;
  }, `action attempt ${id} done`);
}

/** The list filters of /devices/list and /locks/list, each with what it must do. */
function deviceListCases(path: "/devices/list" | "/locks/list"): OracleCase[] {
  const key = path === "/devices/list" ? "devices" : "locks";
  const list = (b: Body) => b[key] as Body[];
  const has = (b: Body, ctx: OracleContext) => ids(list(b), "device_id").includes(ctx.deviceId);
  return [
    {
      path,
      what: "device_ids, device_type(s), manufacturer, connected account(s), created_before, include_if: the lock passes every filter",
      params: (ctx) => ({ device_ids: [ctx.deviceId], connected_account_id: ctx.connectedAccountId, connected_account_ids: [ctx.connectedAccountId], created_before: ctx.at(DAY), include_if: ["can_program_online_access_codes"], limit: 5 }),
      check: async (b, ctx) => {
        expect(ids(list(b), "device_id")).toEqual([ctx.deviceId]);
        const d = list(b)[0]!;
        const typed = await ctx.call(path, { device_type: d.device_type, device_types: [d.device_type], manufacturer: String(d.device_type).replace(/_lock$/, "") });
        expect(has(typed.body, ctx)).toBe(true);
        const other = await ctx.call(path, { device_ids: [ctx.deviceId], device_type: "nuki_lock" === d.device_type ? "yale_lock" : "nuki_lock" });
        expect(list(other.body)).toEqual([]);
      },
    },
    {
      path,
      what: "exclude_if, created_before in the past, another connected account: the lock is filtered out",
      params: (ctx) => ({ device_ids: [ctx.deviceId], exclude_if: ["can_program_online_access_codes"] }),
      check: async (b, ctx) => {
        expect(list(b)).toEqual([]);
        for (const f of [{ created_before: "2000-01-01T00:00:00Z" }, { connected_account_id: "6ba7b810-9dad-41d1-80b4-00c04fd430c8" }, { connected_account_ids: ["6ba7b810-9dad-41d1-80b4-00c04fd430c8"] }]) {
          expect(has((await ctx.call(path, { device_ids: [ctx.deviceId], ...f })).body, ctx), JSON.stringify(f)).toBe(false);
        }
      },
    },
    {
      path,
      what: "search (display name, id prefix) and custom_metadata_has",
      params: async (ctx) => {
        await ctx.call("/devices/update", { device_id: ctx.deviceId, custom_metadata: { oracle_radio: ctx.radio } });
        return { search: ctx.lockName.slice(1, 6), custom_metadata_has: { oracle_radio: ctx.radio } };
      },
      check: async (b, ctx) => {
        expect(ids(list(b), "device_id")).toEqual([ctx.deviceId]);
        expect(has((await ctx.call(path, { search: ctx.deviceId.slice(0, 8) })).body, ctx)).toBe(true);
        expect(has((await ctx.call(path, { search: "no such lock anywhere" })).body, ctx)).toBe(false);
        expect(has((await ctx.call(path, { custom_metadata_has: { oracle_radio: "elsewhere" } })).body, ctx)).toBe(false);
      },
    },
    {
      path,
      what: "limit and page_cursor walk every lock once",
      params: () => ({ limit: 1 }),
      check: async (b, ctx) => {
        const seen = await walkPages(ctx, path, { limit: 1 }, b, key, "device_id");
        const all = (await ctx.call(path, {})).body;
        expect(seen).toEqual(ids(list(all), "device_id"));
        expect(seen).toContain(ctx.deviceId);
      },
    },
  ];
}

export const CASES: OracleCase[] = [
  // --- /access_codes
  {
    path: "/access_codes/create",
    what: "an ongoing code with every flag the hub honours",
    params: (ctx) => ({
      device_id: ctx.deviceId,
      name: `Oracle ${ctx.radio}`,
      code: ctx.pin(),
      common_code_key: `oracle-${ctx.radio}`,
      allow_external_modification: true,
      is_one_time_use: false,
      is_offline_access_code: false,
      use_offline_access_code: false,
      attempt_for_offline_device: true,
      sync: false,
    }),
    check: (b, ctx, p) => {
      expect(b.access_code).toMatchObject({ device_id: ctx.deviceId, code: p.code, name: p.name, type: "ongoing", common_code_key: p.common_code_key, is_external_modification_allowed: true, is_one_time_use: false });
      expect(b.action_attempt).toMatchObject({ action_type: "CREATE_ACCESS_CODE", status: "success", error: null });
    },
  },
  {
    path: "/access_codes/create",
    what: "a generated time-bound code of a preferred length, backup pool, no native scheduling",
    params: (ctx) => ({ device_id: ctx.deviceId, starts_at: ctx.at(DAY), ends_at: ctx.at(2 * DAY), preferred_code_length: 6, prefer_native_scheduling: false, use_backup_access_code_pool: true, is_external_modification_allowed: false }),
    check: (b, _ctx, p) => {
      expect(b.access_code).toMatchObject({ type: "time_bound", starts_at: new Date(p.starts_at as string).toISOString(), ends_at: new Date(p.ends_at as string).toISOString(), status: "unset", is_external_modification_allowed: false });
      expect(b.access_code.code).toMatch(/^\d{6}$/);
    },
  },
  {
    path: "/access_codes/create_multiple",
    what: "a shared generated code under one auto_set_by_create_multiple key",
    params: (ctx) => ({
      device_ids: [ctx.deviceId],
      name: "Family",
      starts_at: ctx.at(DAY),
      ends_at: ctx.at(3 * DAY),
      behavior_when_code_cannot_be_shared: "create_random_code",
      preferred_code_length: 5,
      is_external_modification_allowed: true,
      allow_external_modification: true,
      prefer_native_scheduling: true,
      use_backup_access_code_pool: false,
      attempt_for_offline_device: true,
    }),
    check: (b, ctx) => {
      expect(b.access_codes).toHaveLength(1);
      expect(b.access_codes[0]).toMatchObject({ device_id: ctx.deviceId, name: "Family", type: "time_bound", is_external_modification_allowed: true });
      expect(b.access_codes[0].common_code_key).toMatch(/^auto_set_by_create_multiple_[0-9a-f-]{36}$/);
      expect(b.access_codes[0].code).toMatch(/^\d{5}$/);
    },
  },
  {
    path: "/access_codes/create_multiple",
    what: "a caller's code, no common key (as in Seam)",
    params: (ctx) => ({ device_ids: [ctx.deviceId], code: ctx.pin(), behavior_when_code_cannot_be_shared: "throw" }),
    check: (b, _ctx, p) => expect(b.access_codes.map((c: Body) => [c.code, c.common_code_key])).toEqual([[p.code, null]]),
  },
  {
    path: "/access_codes/get",
    what: "by access_code_id",
    params: async (ctx) => ({ access_code_id: (await ctx.setCode()).access_code_id }),
    check: (b, _ctx, p) => expect(b.access_code).toMatchObject({ access_code_id: p.access_code_id, status: "set" }),
  },
  {
    path: "/access_codes/get",
    what: "by device_id and code",
    params: async (ctx) => {
      const c = await ctx.setCode();
      return { device_id: ctx.deviceId, code: c.code };
    },
    check: (b, ctx, p) => expect(b.access_code).toMatchObject({ device_id: ctx.deviceId, code: p.code }),
  },
  {
    path: "/access_codes/list",
    what: "by device, one per page, following next_page_cursor to the end",
    params: async (ctx) => {
      await ctx.setCode();
      await ctx.setCode();
      return { device_id: ctx.deviceId, limit: 1 };
    },
    check: async (b, ctx) => {
      expect(b.access_codes).toHaveLength(1);
      expect(b.pagination.has_next_page).toBe(true);
      const seen = await walkPages(ctx, "/access_codes/list", { device_id: ctx.deviceId, limit: 1 }, b, "access_codes", "access_code_id");
      const all = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId })).body;
      expect(seen).toEqual(ids(all.access_codes, "access_code_id"));
      expect(all.pagination).toEqual({ has_next_page: false, next_page_cursor: null, next_page_url: null });
    },
  },
  {
    path: "/access_codes/list",
    what: "by access_code_ids; search matches the name, the code and the id",
    params: async (ctx) => {
      const a = await ctx.setCode({ name: `Searchable ${ctx.radio} Gardener` });
      const b = await ctx.setCode();
      return { access_code_ids: [a.access_code_id, b.access_code_id], search: "gardener" };
    },
    check: async (b, ctx, p) => {
      const [aId, bId] = p.access_code_ids as string[];
      expect(ids(b.access_codes, "access_code_id")).toEqual([aId]);
      const other = await get(ctx, bId!);
      const byCode = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId, search: other.code })).body;
      expect(ids(byCode.access_codes, "access_code_id")).toEqual([bId]);
      const byId = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId, search: bId!.slice(0, 13) })).body;
      expect(ids(byId.access_codes, "access_code_id")).toEqual([bId]);
    },
  },
  {
    path: "/access_codes/update",
    what: "new code, name and flags, made time-bound, then ongoing again",
    params: async (ctx) => {
      const c = await ctx.setCode();
      return {
        access_code_id: c.access_code_id,
        device_id: ctx.deviceId,
        name: "Updated",
        code: ctx.pin(),
        type: "time_bound",
        starts_at: ctx.at(DAY),
        ends_at: ctx.at(2 * DAY),
        is_one_time_use: true,
        is_external_modification_allowed: true,
        allow_external_modification: true,
        prefer_native_scheduling: false,
        use_backup_access_code_pool: false,
        attempt_for_offline_device: true,
        is_managed: true,
        is_offline_access_code: false,
        use_offline_access_code: false,
        sync: false,
      };
    },
    check: async (b, ctx, p) => {
      expect(b.action_attempt).toMatchObject({ action_type: "UPDATE_ACCESS_CODE", status: "success" });
      expect(await get(ctx, p.access_code_id as string)).toMatchObject({ name: "Updated", code: p.code, type: "time_bound", is_one_time_use: true, is_external_modification_allowed: true });
      const back = await ctx.call("/access_codes/update", { access_code_id: p.access_code_id, type: "ongoing" });
      expect(back.status).toBe(200);
      expect(await get(ctx, p.access_code_id as string)).toMatchObject({ type: "ongoing" });
    },
  },
  {
    path: "/access_codes/update_multiple",
    what: "renames and re-times every code of a common_code_key",
    params: async (ctx) => {
      const made = (await ctx.call("/access_codes/create_multiple", { device_ids: [ctx.deviceId], name: "Group", starts_at: ctx.at(DAY), ends_at: ctx.at(2 * DAY) })).body;
      return { common_code_key: made.access_codes[0].common_code_key, name: "Group 2", starts_at: ctx.at(2 * DAY), ends_at: ctx.at(4 * DAY) };
    },
    check: async (_b, ctx, p) => {
      const list = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId })).body.access_codes as Body[];
      const group = list.filter((c) => c.common_code_key === p.common_code_key);
      expect(group.map((c) => [c.name, c.ends_at])).toEqual([["Group 2", new Date(p.ends_at as string).toISOString()]]);
    },
  },
  {
    path: "/access_codes/delete",
    what: "by id with its device: an action attempt, `removing` at once, then gone",
    params: async (ctx) => ({ access_code_id: (await ctx.setCode()).access_code_id, device_id: ctx.deviceId, sync: false }),
    check: async (b, ctx, p) => {
      expect(b.action_attempt).toMatchObject({ action_type: "DELETE_ACCESS_CODE", status: "success" });
      const right = await ctx.call("/access_codes/get", { access_code_id: p.access_code_id });
      if (right.status === 200) expect(right.body.access_code.status).toBe("removing");
      await ctx.until(async () => (await ctx.call("/access_codes/get", { access_code_id: p.access_code_id })).status === 404, "deleted");
    },
  },
  {
    path: "/access_codes/generate_code",
    what: "a code that fits the lock and is free on it",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (b, ctx) => {
      expect(b.generated_code.device_id).toBe(ctx.deviceId);
      const device = (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device;
      expect(device.properties.supported_code_lengths).toContain(b.generated_code.code.length);
      const taken = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId })).body.access_codes.map((c: Body) => c.code);
      expect(taken).not.toContain(b.generated_code.code);
    },
  },
  {
    path: "/access_codes/pull_backup_access_code",
    what: "a backup from the pool for a time-bound code: access_code and backup_access_code",
    params: async (ctx) => ({ access_code_id: (await ctx.call("/access_codes/create", { device_id: ctx.deviceId, starts_at: ctx.at(-60_000), ends_at: ctx.at(DAY), use_backup_access_code_pool: true })).body.access_code.access_code_id }),
    retryWhile: (r) => r.status === 400 && r.body.error?.type === "empty_backup_access_code_pool",
    check: async (b, ctx, p) => {
      expect(b.access_code).toEqual(b.backup_access_code);
      expect(b.backup_access_code).toMatchObject({ is_backup: true, device_id: ctx.deviceId, status: "set" });
      expect(await get(ctx, p.access_code_id as string)).toMatchObject({ pulled_backup_access_code_id: b.backup_access_code.access_code_id });
    },
  },
  {
    path: "/access_codes/report_device_constraints",
    what: "supported_code_lengths, then min/max, narrow what the device shows; the lock's own lengths restore it",
    params: (ctx) => ({ device_id: ctx.deviceId, supported_code_lengths: [6] }),
    check: async (_b, ctx) => {
      const lengths = async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.supported_code_lengths as number[];
      expect(await lengths()).toEqual([6]);
      expect((await ctx.call("/access_codes/report_device_constraints", { device_id: ctx.deviceId, min_code_length: 5, max_code_length: 6 })).status).toBe(200);
      expect(await lengths()).toEqual([5, 6]);
      expect((await ctx.call("/access_codes/report_device_constraints", { device_id: ctx.deviceId, min_code_length: 1, max_code_length: 16 })).status).toBe(200);
      expect(await lengths()).toEqual([4, 5, 6, 7, 8]);
    },
  },
  {
    path: "/access_codes/simulate/create_unmanaged_access_code",
    what: "a keypad code the hub then lists as unmanaged",
    params: (ctx) => ({ device_id: ctx.deviceId, name: "Keypad", code: ctx.pin() }),
    check: async (b, ctx) => {
      expect(b.access_code).toMatchObject({ device_id: ctx.deviceId, is_managed: false });
      await ctx.until(async () => (await ctx.call("/access_codes/unmanaged/get", { access_code_id: b.access_code.access_code_id })).status === 200, "listed as unmanaged");
    },
  },
  {
    path: "/access_codes/unmanaged/get",
    what: "by id, and by device_id and code",
    params: async (ctx) => ({ access_code_id: (await ctx.unmanagedCode()).access_code_id }),
    check: async (b, ctx, p) => {
      expect(b.access_code).toMatchObject({ access_code_id: p.access_code_id, is_managed: false });
      const byCode = await ctx.call("/access_codes/unmanaged/get", { device_id: ctx.deviceId, code: b.access_code.code });
      expect(byCode.body.access_code?.access_code_id).toBe(p.access_code_id);
    },
  },
  {
    path: "/access_codes/unmanaged/list",
    what: "by device, paged, and searched by code",
    params: async (ctx) => {
      await ctx.unmanagedCode();
      await ctx.unmanagedCode();
      return { device_id: ctx.deviceId, limit: 1 };
    },
    check: async (b, ctx) => {
      expect(b.access_codes).toHaveLength(1);
      const seen = await walkPages(ctx, "/access_codes/unmanaged/list", { device_id: ctx.deviceId, limit: 1 }, b, "access_codes", "access_code_id");
      const all = (await ctx.call("/access_codes/unmanaged/list", { device_id: ctx.deviceId })).body.access_codes as Body[];
      expect(seen).toEqual(ids(all, "access_code_id"));
      const one = all[0]!;
      const found = (await ctx.call("/access_codes/unmanaged/list", { device_id: ctx.deviceId, search: one.code })).body.access_codes as Body[];
      expect(ids(found, "access_code_id")).toEqual([one.access_code_id]);
    },
  },
  {
    path: "/access_codes/unmanaged/update",
    what: "is_managed: false changes nothing; is_managed: true converts it (force is moot on one workspace)",
    params: async (ctx) => ({ access_code_id: (await ctx.unmanagedCode()).access_code_id, is_managed: false }),
    check: async (_b, ctx, p) => {
      expect((await ctx.call("/access_codes/unmanaged/get", { access_code_id: p.access_code_id })).status).toBe(200);
      const r = await ctx.call("/access_codes/unmanaged/update", { access_code_id: p.access_code_id, is_managed: true, is_external_modification_allowed: true, allow_external_modification: true, force: true });
      expect(r.status).toBe(200);
      expect(await get(ctx, p.access_code_id as string)).toMatchObject({ is_managed: true, is_external_modification_allowed: true });
    },
  },
  {
    path: "/access_codes/unmanaged/convert_to_managed",
    what: "the same id becomes a managed code",
    params: async (ctx) => ({ access_code_id: (await ctx.unmanagedCode()).access_code_id, is_external_modification_allowed: false, allow_external_modification: false, force: false, sync: false }),
    check: async (_b, ctx, p) => {
      expect(await get(ctx, p.access_code_id as string)).toMatchObject({ access_code_id: p.access_code_id, is_managed: true, status: "set", is_external_modification_allowed: false });
      expect((await ctx.call("/access_codes/unmanaged/get", { access_code_id: p.access_code_id })).status).toBe(404);
    },
  },
  {
    path: "/access_codes/unmanaged/delete",
    what: "an action attempt, then the slot is cleared and the code gone",
    params: async (ctx) => ({ access_code_id: (await ctx.unmanagedCode()).access_code_id, sync: false }),
    check: async (b, ctx, p) => {
      expect(b.action_attempt).toMatchObject({ action_type: "DELETE_ACCESS_CODE", status: "success" });
      await ctx.until(async () => (await ctx.call("/access_codes/unmanaged/get", { access_code_id: p.access_code_id })).status === 404, "unmanaged code gone");
    },
  },

  // --- /action_attempts
  {
    path: "/action_attempts/get",
    what: "the attempt a delete returned",
    params: async (ctx) => {
      const del = await ctx.call("/access_codes/delete", { access_code_id: (await ctx.setCode()).access_code_id });
      return { action_attempt_id: del.body.action_attempt.action_attempt_id };
    },
    check: (b, _ctx, p) => expect(b.action_attempt).toMatchObject({ action_attempt_id: p.action_attempt_id, action_type: "DELETE_ACCESS_CODE", status: "success" }),
  },
  {
    path: "/action_attempts/list",
    what: "by ids; by device, paged",
    params: async (ctx) => {
      const a = (await ctx.call("/access_codes/create", { device_id: ctx.deviceId, code: ctx.pin() })).body.action_attempt.action_attempt_id;
      const b = (await ctx.call("/access_codes/create", { device_id: ctx.deviceId, code: ctx.pin() })).body.action_attempt.action_attempt_id;
      return { action_attempt_ids: [b, a] };
    },
    check: async (b, ctx, p) => {
      expect(ids(b.action_attempts, "action_attempt_id").sort()).toEqual([...(p.action_attempt_ids as string[])].sort());
      const first = (await ctx.call("/action_attempts/list", { device_id: ctx.deviceId, limit: 1 })).body;
      expect(first.action_attempts).toHaveLength(1);
      expect(first.pagination.has_next_page).toBe(true);
      const second = (await ctx.call("/action_attempts/list", { device_id: ctx.deviceId, limit: 1, page_cursor: first.pagination.next_page_cursor })).body;
      expect(second.action_attempts[0].action_attempt_id).not.toBe(first.action_attempts[0].action_attempt_id);
      const all = (await ctx.call("/action_attempts/list", { device_id: ctx.deviceId, limit: 10_000 })).body.action_attempts as Body[];
      expect(ids(all, "action_attempt_id")).toEqual(expect.arrayContaining(p.action_attempt_ids as string[]));
    },
  },

  // --- /devices and /locks
  {
    path: "/devices/get",
    what: "by device_id, and by name",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (b, ctx) => {
      expect(b.device.device_id).toBe(ctx.deviceId);
      const byName = await ctx.call("/devices/get", { name: b.device.display_name });
      expect(byName.body.device?.device_id).toBe(ctx.deviceId);
    },
  },
  {
    path: "/locks/get",
    what: "lock and device, by device_id and by name",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (b, ctx) => {
      expect(b.lock).toEqual(b.device);
      expect((await ctx.call("/locks/get", { name: b.device.display_name })).body.lock?.device_id).toBe(ctx.deviceId);
    },
  },
  ...deviceListCases("/devices/list"),
  ...deviceListCases("/locks/list"),
  // --- lock state and remote control (protocol.md §8)
  {
    path: "/locks/unlock_door",
    what: "a pending UNLOCK_DOOR attempt that succeeds once the lock confirms; the device shows it unlocked",
    params: (ctx) => ({ device_id: ctx.deviceId, sync: false }),
    check: async (b, ctx) => {
      expect(b.action_attempt).toMatchObject({ action_type: "UNLOCK_DOOR", status: "pending", result: null, error: null });
      const done = await attemptDone(ctx, b.action_attempt.action_attempt_id);
      expect(done).toMatchObject({ status: "success", result: { was_confirmed_by_device: true } });
      await ctx.until(async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.locked === false, "unlocked");
      const ev = (await ctx.call("/events/list", { device_id: ctx.deviceId, event_type: "lock.unlocked", since: ctx.at(-60_000) })).body.events as Body[];
      expect(ev.some((e) => e.action_attempt_id === b.action_attempt.action_attempt_id && e.method === "remote")).toBe(true);
    },
  },
  {
    path: "/locks/lock_door",
    what: "a pending LOCK_DOOR attempt that succeeds; the device shows it locked",
    params: (ctx) => ({ device_id: ctx.deviceId, sync: false }),
    check: async (b, ctx) => {
      expect(b.action_attempt).toMatchObject({ action_type: "LOCK_DOOR", status: "pending" });
      expect(await attemptDone(ctx, b.action_attempt.action_attempt_id)).toMatchObject({ status: "success" });
      await ctx.until(async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.locked === true, "locked");
    },
  },
  {
    path: "/locks/simulate/keypad_code_entry",
    what: "a managed code typed at the keypad unlocks (lock.unlocked keycode with its access_code_id)",
    params: async (ctx) => {
      const code = await ctx.setCode();
      return { device_id: ctx.deviceId, code: code.code as string };
    },
    check: async (b, ctx, p) => {
      expect(b.action_attempt).toMatchObject({ action_type: "SIMULATE_KEYPAD_CODE_ENTRY", status: "success" });
      const used = (await ctx.call("/access_codes/list", { device_id: ctx.deviceId })).body.access_codes.find((c: Body) => c.code === p.code) as Body;
      const unlocked = await ctx.until(async () => {
        const ev = (await ctx.call("/events/list", { device_id: ctx.deviceId, event_type: "lock.unlocked", since: ctx.at(-60_000) })).body.events as Body[];
        return ev.find((e) => e.method === "keycode" && e.access_code_id === used.access_code_id);
      }, "keypad unlock event");
      expect(unlocked.access_code_is_managed).toBe(true);
    },
  },
  {
    path: "/locks/simulate/manual_lock_via_keypad",
    what: "the keypad's lock button locks it (lock.locked manual)",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (b, ctx) => {
      expect(b.action_attempt).toMatchObject({ action_type: "SIMULATE_MANUAL_LOCK_VIA_KEYPAD", status: "success" });
      await ctx.until(async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.locked === true, "locked");
      const ev = (await ctx.call("/events/list", { device_id: ctx.deviceId, event_type: "lock.locked", since: ctx.at(-60_000) })).body.events as Body[];
      expect(ev.some((e) => e.method === "manual")).toBe(true);
    },
  },
  {
    path: "/devices/update",
    what: "name becomes the display name (device.name_changed); custom_metadata set and removed; null restores the lock's name",
    params: (ctx) => ({ device_id: ctx.deviceId, name: `Renamed ${ctx.radio}`, custom_metadata: { unit: "4B", vip: true }, is_managed: true }),
    check: async (_b, ctx, p) => {
      const since = ctx.at(-60_000);
      const d = (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device;
      expect(d).toMatchObject({ display_name: p.name, properties: { name: p.name }, custom_metadata: { unit: "4B", vip: true } });
      const ev = (await ctx.call("/events/list", { device_id: ctx.deviceId, event_type: "device.name_changed", since })).body.events as Body[];
      expect(ev.at(-1)).toMatchObject({ device_name: p.name });
      expect((await ctx.call("/devices/update", { device_id: ctx.deviceId, properties: { name: null }, custom_metadata: { unit: null } })).status).toBe(200);
      const back = (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device;
      expect(back.display_name).toBe(ctx.lockName);
      expect(back.custom_metadata).toMatchObject({ vip: true });
      expect(Object.keys(back.custom_metadata)).not.toContain("unit");
    },
  },
  {
    path: "/devices/simulate/disconnect",
    what: "the lock goes offline (device_offline), found out at the next command for a battery lock",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (_b, ctx) => {
      // A battery lock is not polled: the hub learns it is gone when a command goes unanswered.
      expect((await ctx.call("/access_codes/create", { device_id: ctx.deviceId, code: ctx.pin() })).status).toBe(200);
      await ctx.until(async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.online === false, "offline", 45_000);
      const d = (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device;
      expect(d.errors.map((e: Body) => e.error_code)).toContain("device_offline");
    },
  },
  {
    path: "/devices/simulate/connect",
    what: "the lock comes back online",
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (_b, ctx) => {
      await ctx.until(async () => (await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.properties.online === true, "online");
    },
  },
  {
    path: "/devices/simulate/remove",
    what: "the lock leaves its network: device_removed",
    destructive: true,
    params: (ctx) => ({ device_id: ctx.deviceId }),
    check: async (_b, ctx) => {
      await ctx.until(async () => ((await ctx.call("/devices/get", { device_id: ctx.deviceId })).body.device.errors as Body[]).some((e) => e.error_code === "device_removed"), "device_removed");
    },
  },

  // --- /events
  {
    path: "/events/list",
    what: "every filter narrows: device(s), access code(s), event ids, type(s), connected account, since, limit",
    params: async (ctx) => {
      const c = await ctx.setCode();
      return {
        since: ctx.at(-10 * 60_000),
        device_id: ctx.deviceId,
        device_ids: [ctx.deviceId],
        access_code_id: c.access_code_id,
        access_code_ids: [c.access_code_id],
        event_types: ["access_code.created", "access_code.set_on_device"],
        connected_account_id: ctx.connectedAccountId,
        limit: 10,
      };
    },
    check: async (b, ctx, p) => {
      expect(b.events.map((e: Body) => [e.event_type, e.access_code_id])).toEqual([
        ["access_code.created", p.access_code_id],
        ["access_code.set_on_device", p.access_code_id],
      ]);
      const one = await ctx.call("/events/list", { since: p.since, event_ids: [b.events[1].event_id], event_type: "access_code.set_on_device" });
      expect(one.body.events.map((e: Body) => e.event_id)).toEqual([b.events[1].event_id]);
      const elsewhere = await ctx.call("/events/list", { since: p.since, connected_account_id: "6ba7b810-9dad-41d1-80b4-00c04fd430c8" });
      expect(elsewhere.body.events).toEqual([]);
      const newest = await ctx.call("/events/list", { since: p.since, access_code_id: p.access_code_id, limit: 1 });
      expect(newest.body.events.map((e: Body) => e.event_type)).toEqual(["access_code.set_on_device"]);
    },
  },
  {
    path: "/events/list",
    what: "between is an exclusive window",
    params: async (ctx) => {
      const c = await ctx.setCode();
      const created = (await ctx.call("/events/list", { since: ctx.at(-60_000), access_code_id: c.access_code_id })).body.events[0];
      return { between: [new Date(Date.parse(created.created_at) - 1).toISOString(), new Date(Date.parse(created.created_at) + 1).toISOString()], access_code_id: c.access_code_id };
    },
    check: (b) => expect(b.events.map((e: Body) => e.event_type)).toEqual(["access_code.created"]),
  },
  {
    path: "/events/get",
    what: "by event_id, and the newest by device_id and event_type",
    params: async (ctx) => {
      const c = await ctx.setCode();
      const ev = (await ctx.call("/events/list", { since: ctx.at(-60_000), access_code_id: c.access_code_id, event_type: "access_code.set_on_device" })).body.events[0];
      return { event_id: ev.event_id };
    },
    check: async (b, ctx, p) => {
      expect(b.event.event_id).toBe(p.event_id);
      const newest = await ctx.call("/events/get", { device_id: ctx.deviceId, event_type: "access_code.set_on_device" });
      expect(newest.body.event).toMatchObject({ device_id: ctx.deviceId, event_type: "access_code.set_on_device" });
    },
  },
];
