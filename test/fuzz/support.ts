// Shared by the fuzz suites: an in-process hub on the fake driver, a snapshot of its state, and
// arbitraries for hostile parameters. LOCKBRIDGE_FUZZ_RUNS is the total number of cases over all suites.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { expect } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { sleep, waitFor } from "../support/ports.js";

export const FUZZ_TOTAL = Number(process.env.LOCKBRIDGE_FUZZ_RUNS ?? 5000);
/** This suite's share of the total, at least `min` cases. */
export const runs = (share: number, min = 20) => Math.max(min, Math.round(FUZZ_TOTAL * share));
/** Reproduce a failure with LOCKBRIDGE_FUZZ_SEED (fast-check prints the seed and path of a failure). */
export const fuzzSeed = process.env.LOCKBRIDGE_FUZZ_SEED ? Number(process.env.LOCKBRIDGE_FUZZ_SEED) : undefined;

export interface Ids {
  device: string;
  code: string;
  timeBound: string;
  unmanaged: string;
}
/** Generated cases name real objects by token; a valid case may delete one, and `restore` makes a new one. */
export const TOKENS = ["$device", "$code", "$timeBound", "$unmanaged"] as const;

/** Replace tokens by the current ids, deep. */
export function resolve(v: unknown, ids: Ids): unknown {
  if (typeof v === "string") return (TOKENS as readonly string[]).includes(v) ? ids[v.slice(1) as keyof Ids] : v;
  if (Array.isArray(v)) return v.map((x) => resolve(x, ids));
  if (v && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: resolve(x, ids), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

export interface FuzzHub {
  readonly hub: Hub;
  readonly driver: FakeDriver;
  readonly dir: string;
  readonly apiKey: string;
  /** Real ids the generators mix in (as tokens, see `resolve`), so hostile values reach the handlers behind the schemas. */
  readonly ids: Ids;
  stop(): Promise<void>;
}

export async function startFuzzHub(): Promise<FuzzHub> {
  const dir = mkdtempSync(path.join(tmpdir(), "lb-fuzz-"));
  const apiKey = `fuzz_${randomUUID().replaceAll("-", "")}`;
  const parsed = configSchema.parse({ data_dir: dir, local_api: { listen: "127.0.0.1:0", api_key: apiKey } });
  const config: HubConfig = { ...parsed, hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: apiKey }, configPath: "" };
  // No checksum: nothing is re-read in the background, so the state only changes when a request changes it.
  const driver = new FakeDriver([{ name: "Fuzz", slots: 8, checksum: false }]);
  const hub = new Hub(config, { logger: createLogger({ level: "silent" }), drivers: async () => [driver] });
  await hub.start();
  await waitFor(() => hub.store.locks().length === 1 && hub.store.locks()[0]!.slotsSynced, "lock synced");
  const ids: Ids = { device: hub.store.locks()[0]!.deviceId, code: "", timeBound: "", unmanaged: "" };
  const f: FuzzHub = {
    hub,
    driver,
    dir,
    apiKey,
    ids,
    async stop() {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await restore(f);
  return f;
}

const DAY = 86_400_000;
const ONGOING = "4821";
const WINDOWED = "5930";
const FOREIGN = "2468";

/**
 * Back to the fixture after a valid case changed things: the lock's own constraints, one ongoing and one
 * future time-bound code, one unmanaged code, nothing else (so snapshots stay small).
 */
export async function restore(f: FuzzHub): Promise<void> {
  const { hub, driver, ids } = f;
  const call = async (p: string, params: unknown) => {
    const r = await hub.router.handle({ path: p, params, door: "http" });
    expect(r.status, `${p}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body as Record<string, any>;
  };
  // The lock itself first: no faults, on the air, in the network, locked and shut (a valid simulation call may have changed any).
  const fake = driver.fakes[0]!;
  driver.setFaults(fake.identity.radioId, { unresponsive: false, rejects_codes: false, masked_readback: false, jammed: false });
  // The bolt thrown and the door shut, as the fixture began.
  if (fake.doorOpen) await driver.setDoorOpen(fake.identity.radioId, false);
  if (!fake.locked) await driver.turnThumbTurn(fake.identity.radioId, true);
  if (hub.store.lock(ids.device)!.removed) {
    fake.online = true;
    driver.emit({ type: "lock_ready", lock: fake });
    await waitFor(() => !hub.store.lock(ids.device)!.removed && hub.store.lock(ids.device)!.online, "lock back in the network", 5000, 5);
  } else if (!fake.online || !hub.store.lock(ids.device)!.online) {
    await driver.connect(fake.identity.radioId);
    await waitFor(() => hub.store.lock(ids.device)!.online, "lock back online", 5000, 5);
  }
  const named = hub.store.lock(ids.device)!;
  if (named.displayName || Object.keys(named.customMetadata ?? {}).length) {
    await call("/devices/update", { device_id: ids.device, name: null, custom_metadata: Object.fromEntries(Object.keys(named.customMetadata ?? {}).map((k) => [k, null])) });
  }
  const lock = hub.store.lock(ids.device)!;
  if (lock.reportedCodeLengths) await call("/access_codes/report_device_constraints", { device_id: ids.device, supported_code_lengths: lock.capabilities.codeLengths });
  const fixture = (id: string, code: string, timed: boolean) => {
    const c = hub.store.code(id);
    return c && c.desired === "present" && !c.isBackup && c.code === code && (c.startsAt !== null) === timed && !c.gaveUp;
  };
  const keep = new Set<string>();
  if (fixture(ids.code, ONGOING, false)) keep.add(ids.code);
  if (fixture(ids.timeBound, WINDOWED, true)) keep.add(ids.timeBound);
  // Backup codes still in the pool are not addressable (404); they stay, a stable part of the state.
  const pool = (c: { isBackup: boolean; backupState: string | null }) => c.isBackup && c.backupState === "pool";
  for (const c of hub.store.codes()) if (!keep.has(c.accessCodeId) && c.desired === "present" && !pool(c)) await call("/access_codes/delete", { access_code_id: c.accessCodeId });
  for (const u of hub.store.unmanaged()) if (u.code !== FOREIGN || u.slot !== 8) await call("/access_codes/unmanaged/delete", { access_code_id: u.accessCodeId });
  await waitFor(() => hub.store.codes().every((c) => keep.has(c.accessCodeId) || pool(c)) && hub.store.unmanaged().every((u) => u.code === FOREIGN && u.slot === 8), "extra codes gone", 5000, 5);
  if (!keep.has(ids.code)) ids.code = (await call("/access_codes/create", { device_id: ids.device, name: "Fuzz ongoing", code: ONGOING })).access_code.access_code_id;
  if (!keep.has(ids.timeBound)) {
    const window = { starts_at: new Date(Date.now() + 30 * DAY).toISOString(), ends_at: new Date(Date.now() + 31 * DAY).toISOString() };
    ids.timeBound = (await call("/access_codes/create", { device_id: ids.device, name: "Fuzz window", code: WINDOWED, ...window })).access_code.access_code_id;
  }
  if (!hub.store.unmanaged().length) await driver.keypadSetCode(driver.fakes[0]!.identity.radioId, 8, FOREIGN);
  await waitFor(() => hub.store.unmanaged().length === 1 && hub.store.code(ids.code)?.status === "set", "fixture settled", 5000, 5).catch((e: unknown) => {
    throw new Error(`${String(e)}: ${JSON.stringify({ codes: hub.store.codes().map((c) => [c.code, c.status, c.slot]), unmanaged: hub.store.unmanaged(), slots: hub.store.slots(ids.device) })}`);
  });
  ids.unmanaged = hub.store.unmanaged()[0]!.accessCodeId;
}

/** What a request may not change unless it is a valid mutation: codes, unmanaged codes, locks, events, attempts (requests table aside). */
export function snapshot(hub: Hub): string {
  const db = hub.db;
  return JSON.stringify({
    codes: db.prepare("SELECT * FROM access_codes ORDER BY access_code_id").all(),
    unmanaged: db.prepare("SELECT * FROM unmanaged_codes ORDER BY access_code_id").all(),
    locks: db.prepare("SELECT * FROM locks ORDER BY device_id").all(),
    slots: db.prepare("SELECT * FROM slots ORDER BY device_id, slot").all(),
    events: db.prepare("SELECT COUNT(*) AS n, MAX(seq) AS last, COUNT(acked_at) AS acked FROM events").get(),
    attempts: db.prepare("SELECT COUNT(*) AS n FROM action_attempts").get(),
  });
}

/** After a valid mutation: wait until the executor has done what it caused, then take the new baseline. */
export async function settle(hub: Hub): Promise<string> {
  let last = snapshot(hub);
  let stable = 0;
  for (let i = 0; i < 400 && stable < 3; i++) {
    await sleep(5);
    const now = snapshot(hub);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/** Every field name any route takes, so hostile values land on fields that exist. */
export const FIELDS = [
  "device_id", "access_code_id", "access_code_ids", "device_ids", "name", "code", "starts_at", "ends_at", "common_code_key",
  "is_external_modification_allowed", "allow_external_modification", "is_one_time_use", "is_offline_access_code",
  "prefer_native_scheduling", "use_backup_access_code_pool", "preferred_code_length", "attempt_for_offline_device", "sync",
  "type", "is_managed", "limit", "page_cursor", "search", "behavior_when_code_cannot_be_shared", "supported_code_lengths",
  "min_code_length", "max_code_length", "slot", "unresponsive", "rejects_codes", "masked_readback", "event_type", "event_types",
  "since", "between", "action_attempt_id", "user_identity_id", "_strict", "jammed", "locked", "open", "level", "action_attempt_ids",
] as const;

const LONG = "x".repeat(70_000);
/** A value a careless handler would choke on: wrong types, control characters, huge numbers, prototype keys, long strings. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      "", " ", "\u0000", "\u202e1234", "\ud800", "null", "true", "1e309", "-0", "NaN", "../../etc/passwd", "' OR 1=1 --", "<script>", "%00", "\r\nX-Injected: 1",
      "0".repeat(17), "9".repeat(400), "١٢٣٤", "12 34", "+1234", "0x1F", "2026-02-30T00:00:00Z", "2026-11-26", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
      "__proto__", "constructor", "toString", LONG,
      1e308, -1e308, 2 ** 53 + 2, 2 ** 64, -1, 0, 0.5, -0, 1e-320,
      [], {}, [null], { $gt: "" }, JSON.parse('{"__proto__":{"polluted":true}}'), JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
);

/** Plausible valid bodies per path; fuzz cases corrupt, drop and add fields on top of them. */
export function templates(): (p: string) => Record<string, unknown> {
  const future = (d: number) => new Date(Date.now() + d * DAY).toISOString();
  return (p) => {
    // Simulation paths act on the lock itself: they only ever see ids of locks that do not exist.
    if (p.includes("/simulate/")) return { device_id: randomUUID(), slot: 1, code: "7391" };
    if (p.startsWith("/access_codes/unmanaged/")) return { access_code_id: "$unmanaged", device_id: "$device", name: "Renamed", is_external_modification_allowed: true };
    switch (p) {
      case "/access_codes/create":
        return { device_id: "$device", name: "Fuzz", code: "4821", starts_at: future(40), ends_at: future(41) };
      case "/access_codes/create_multiple":
        return { device_ids: ["$device"], name: "Fuzz", code: "4821", behavior_when_code_cannot_be_shared: "throw" };
      case "/access_codes/update":
        return { access_code_id: "$timeBound", name: "Fuzz", code: "4821", starts_at: future(40), ends_at: future(41) };
      case "/access_codes/update_multiple":
        return { common_code_key: "auto_set_by_create_multiple_x", name: "Fuzz", ends_at: future(41) };
      case "/access_codes/delete":
        return { access_code_id: randomUUID() };
      case "/access_codes/pull_backup_access_code":
        return { access_code_id: "$code" };
      case "/access_codes/report_device_constraints":
        return { device_id: "$device", supported_code_lengths: [4, 5, 6] };
      case "/events/list":
        return { device_id: "$device", event_types: ["access_code.created"], since: future(-1), limit: 5 };
      case "/action_attempts/get":
        return { action_attempt_id: randomUUID() };
      default:
        return { device_id: "$device", access_code_id: "$code", access_code_ids: ["$code"], limit: 10 };
    }
  };
}

/** Parameters for `p`: any JSON at all, a template with fields corrupted, dropped and added, or loose hostile fields. */
export function paramsFor(p: string): fc.Arbitrary<unknown> {
  const base = templates()(p);
  const keys = Object.keys(base);
  const real: string[] = p.includes("/simulate/") ? [randomUUID()] : [...TOKENS];
  const field = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(keys.length ? keys : ["device_id"])) }, { weight: 2, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });
  const value = fc.oneof({ weight: 5, arbitrary: hostile }, { weight: 1, arbitrary: fc.constantFrom<unknown>(...real) });
  const corrupted = fc
    .record({ drop: fc.subarray(keys), set: fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }) })
    .map(({ drop, set }) => {
      const o: Record<string, unknown> = {};
      for (const k of keys) if (!drop.includes(k)) o[k] = base[k];
      // defineProperty: a "__proto__" key stays an own property, as JSON.parse makes it.
      for (const [k, v] of set) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    });
  return fc.oneof(
    { weight: 6, arbitrary: corrupted },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 5 }) },
  );
}

/** Paths: mostly real ones, sometimes near misses and junk. */
export function pathArb(paths: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...paths) },
    { weight: 1, arbitrary: fc.constantFrom(...paths).map((p) => `${p}/`) },
    { weight: 1, arbitrary: fc.constantFrom(...paths).map((p) => p.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom("/", "", "/access_codes", "/access_codes/../devices/list", "//devices/list", "/devices/list%00", "/hub", "/metrics", "/access_codes/create\u0000", `/${"a".repeat(5000)}`) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }).map((s) => `/${s}`) },
  );
}

/** An error body in the contract's shape, with no stack trace in it. */
export function expectErrorBody(status: number, body: unknown, context: string): void {
  const b = body as { error?: { type?: unknown; message?: unknown } };
  expect(typeof b?.error?.type, `${context}: error.type in ${JSON.stringify(body).slice(0, 300)}`).toBe("string");
  expect(typeof b.error!.message, `${context}: error.message`).toBe("string");
  expect((b.error!.message as string).length, `${context}: empty message`).toBeGreaterThan(0);
  expect(b.error!.message as string, `${context}: stack trace in message`).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+/);
  expect([400, 401, 404, 405, 408, 413, 417, 431], `${context}: status ${status} ${JSON.stringify(body).slice(0, 300)}`).toContain(status);
}

/** The paths that change state: a 200 from one of them is a valid mutation, and the fixture is restored after it. */
export const MUTATIONS = new Set([
  "/access_codes/create",
  "/access_codes/create_multiple",
  "/access_codes/update",
  "/access_codes/update_multiple",
  "/access_codes/delete",
  "/access_codes/generate_code",
  "/access_codes/pull_backup_access_code",
  "/access_codes/report_device_constraints",
  "/access_codes/unmanaged/update",
  "/access_codes/unmanaged/convert_to_managed",
  "/access_codes/unmanaged/delete",
  "/locks/lock_door",
  "/locks/unlock_door",
  "/devices/update",
]);

/** Simulation paths that only read the simulator; every other simulation path acts on the lock. */
export const READ_ONLY_SIMULATION = new Set(["/hub/simulate/lock_slots", "/hub/simulate/profiles"]);

/**
 * Whether a 200 from `path` may have changed state: the mutations above, and every simulation path that
 * acts on a lock (a keypad code, a fault, a lock taken off the air or removed). New simulation paths count
 * without being listed.
 */
export const isMutation = (path: string): boolean => MUTATIONS.has(path) || (path.includes("/simulate/") && !READ_ONLY_SIMULATION.has(path));
