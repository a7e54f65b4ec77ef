// Issue 4 on an injected clock: days, DST, a hub off across ends_at, NTP jumps, native schedules,
// one-time codes, shared codes, the backup pool and constraints. In-process on a fake driver.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { ManualClock } from "../support/manual-clock.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse("2026-10-20T09:00:00Z");

let dir = "";
let hub: Hub | null = null;
const ids = { hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID() };

function config(): HubConfig {
  const parsed = configSchema.parse({
    data_dir: dir,
    local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) },
    timing: { delay_warning_after_ms: 10 * MIN, failure_after_ms: 2 * HOUR, program_ahead_ms: 10 * MIN },
    backup_pool_size: 2,
  });
  return { ...parsed, ...ids, local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
}

type Spec = ConstructorParameters<typeof FakeDriver>[0];
async function boot(clock: ManualClock, spec: Spec, carry?: FakeDriver): Promise<{ hub: Hub; driver: FakeDriver }> {
  const driver = new FakeDriver(spec);
  if (carry) driver.fakes.forEach((f, i) => carry.fakes[i]!.memory.forEach((v, k) => f.memory.set(k, v)));
  hub = new Hub(config(), { logger: createLogger({ level: "silent" }), clock, drivers: async () => [driver] });
  await hub.start();
  await waitFor(() => hub!.store.locks().length === spec.length && hub!.store.locks().every((l) => l.slotsSynced), "locks synced");
  return { hub, driver };
}

function setup() {
  dir = mkdtempSync(path.join(tmpdir(), "lb-time-"));
  return new ManualClock(T0);
}
afterEach(async () => {
  await hub?.stop();
  hub = null;
  rmSync(dir, { recursive: true, force: true });
});

const call = async (h: Hub, p: string, params: unknown) => {
  const r = await h.router.handle({ path: p, params, door: "http" });
  if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, any>;
};
const types = (h: Hub, id?: string) => h.store.events({ limit: 10_000 }).filter((e) => !id || e.body.access_code_id === id).map((e) => e.eventType);
const iso = (ms: number) => new Date(ms).toISOString();
const settle = (ms = 60) => new Promise((r) => setTimeout(r, ms));
const codeOn = (d: FakeDriver, code: string) => [...d.fakes[0]!.memory.values()].some((m) => m.code === code);

describe("time at the edge (injected clock)", () => {
  it("just in time: deferred with scheduled_at, programmed program_ahead_ms before, removed and deleted at ends_at", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 5 }]);
    const device = h.store.locks()[0]!.deviceId;
    const starts = T0 + 2 * DAY;
    const ac = (await call(h, "/access_codes/create", { device_id: device, name: "Guest", code: "4821", starts_at: iso(starts), ends_at: iso(starts + 3 * DAY) })).access_code;
    expectSeam("access_code", ac);
    expect(ac.status).toBe("unset");
    expect(ac.type).toBe("time_bound");
    expect(ac.pending_mutations).toEqual([expect.objectContaining({ mutation_code: "deferring_creation", scheduled_at: iso(starts - 10 * MIN) })]);
    clock.advance(2 * DAY - 11 * MIN);
    await settle();
    expect(codeOn(driver, "4821")).toBe(false);
    clock.advance(2 * MIN);
    await waitFor(async () => (await call(h, "/access_codes/get", { access_code_id: ac.access_code_id })).access_code.status === "set", "set ahead of starts_at");
    expect(codeOn(driver, "4821")).toBe(true);
    clock.set(starts + 3 * DAY);
    await waitFor(() => types(h, ac.access_code_id).includes("access_code.deleted"), "deleted at ends_at");
    expect(types(h, ac.access_code_id)).toEqual(["access_code.created", "access_code.set_on_device", "access_code.removed_from_device", "access_code.deleted"]);
    expect(codeOn(driver, "4821")).toBe(false);
    for (const e of h.store.events({ limit: 100 })) expectSeam("seam_event", e.body);
  });

  it("a hub off across ends_at removes the code as soon as it starts; missed transitions run in order", async () => {
    const clock = setup();
    const spec = [{ name: "Door", slots: 5 }];
    let { hub: h, driver } = await boot(clock, spec);
    const device = h.store.locks()[0]!.deviceId;
    const a = (await call(h, "/access_codes/create", { device_id: device, name: "A", code: "1357", starts_at: iso(T0), ends_at: iso(T0 + DAY) })).access_code;
    const b = (await call(h, "/access_codes/create", { device_id: device, name: "B", code: "2468", starts_at: iso(T0 + 2 * DAY), ends_at: iso(T0 + 4 * DAY) })).access_code;
    await waitFor(() => codeOn(driver, "1357"), "A on the lock");
    await h.stop();
    hub = null;
    clock.set(T0 + 3 * DAY); // off across A's end and B's start
    ({ hub: h, driver } = await boot(clock, spec, driver));
    await waitFor(() => types(h, a.access_code_id).includes("access_code.deleted") && codeOn(driver, "2468"), "A removed, B programmed");
    expect(codeOn(driver, "1357")).toBe(false);
    const seq = h.store.events({ limit: 1000 }).map((e) => `${e.body.access_code_id === a.access_code_id ? "A" : "B"}:${e.eventType}`);
    expect(seq.indexOf("A:access_code.removed_from_device")).toBeLessThan(seq.indexOf("B:access_code.set_on_device"));
    void b;
  });

  it("an NTP correction neither skips nor repeats a transition", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 5 }]);
    const device = h.store.locks()[0]!.deviceId;
    const ac = (await call(h, "/access_codes/create", { device_id: device, code: "3691", starts_at: iso(T0 + HOUR), ends_at: iso(T0 + 5 * HOUR) })).access_code;
    clock.set(T0 + HOUR + MIN); // jump forward over the start: not skipped
    await waitFor(() => codeOn(driver, "3691"), "programmed after a forward jump");
    await waitFor(() => types(h, ac.access_code_id).includes("access_code.set_on_device"), "set");
    clock.set(T0 + 30 * MIN); // step back before the start: not undone, not repeated
    await settle(150);
    clock.set(T0 + 2 * HOUR);
    await settle(150);
    expect(codeOn(driver, "3691")).toBe(true);
    expect(types(h, ac.access_code_id).filter((t) => t === "access_code.set_on_device")).toHaveLength(1);
    expect(types(h, ac.access_code_id)).not.toContain("access_code.removed_from_device");
  });

  it("a window across a DST change (Europe, 25 Oct 2026) stays on the lock through it and ends on time", async () => {
    const clock = setup();
    clock.set(Date.parse("2026-10-24T20:00:00Z"));
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 5 }]);
    const device = h.store.locks()[0]!.deviceId;
    // Local Berlin times with their offsets: 22:00 CEST (+02:00) to 22:00 CET (+01:00) is 25 hours.
    const ac = (await call(h, "/access_codes/create", { device_id: device, code: "8024", starts_at: "2026-10-24T22:00:00+02:00", ends_at: "2026-10-25T22:00:00+01:00" })).access_code;
    expect(ac.starts_at).toBe("2026-10-24T20:00:00.000Z");
    expect(ac.ends_at).toBe("2026-10-25T21:00:00.000Z");
    await waitFor(() => codeOn(driver, "8024"), "on the lock");
    clock.set(Date.parse("2026-10-25T20:59:00Z"));
    await settle(150);
    expect(codeOn(driver, "8024")).toBe(true);
    clock.set(Date.parse("2026-10-25T21:00:00Z"));
    await waitFor(() => !codeOn(driver, "8024"), "removed at 22:00 CET");
  });

  it("native schedule: programmed days ahead with its window, unset and scheduled_on_device, refused outside, set at starts_at", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 5, native: true }]);
    const lock = h.store.locks()[0]!;
    const starts = T0 + 2 * DAY;
    const ac = (await call(h, "/access_codes/create", { device_id: lock.deviceId, code: "5792", starts_at: iso(starts), ends_at: iso(starts + DAY) })).access_code;
    await waitFor(() => types(h, ac.access_code_id).includes("access_code.scheduled_on_device"), "scheduled_on_device");
    const got = (await call(h, "/access_codes/get", { access_code_id: ac.access_code_id })).access_code;
    expect(got).toMatchObject({ status: "unset", is_scheduled_on_device: true });
    expectSeam("access_code", got);
    expect((await driver.keypadUnlock(lock.radioId, "5792", new Date(clock.now()))).unlocked).toBe(false);
    clock.set(starts + MIN);
    await waitFor(async () => (await call(h, "/access_codes/get", { access_code_id: ac.access_code_id })).access_code.status === "set", "set at starts_at");
    expect((await driver.keypadUnlock(lock.radioId, "5792", new Date(clock.now()))).unlocked).toBe(true);
    const pref = (await call(h, "/access_codes/create", { device_id: lock.deviceId, code: "6803", starts_at: iso(T0 + 4 * DAY), ends_at: iso(T0 + 5 * DAY), prefer_native_scheduling: false })).access_code;
    await settle(100);
    expect(codeOn(driver, "6803")).toBe(false);
    expect((await call(h, "/access_codes/get", { access_code_id: pref.access_code_id })).access_code.is_scheduled_on_device).toBe(false);
  });

  it("pending_mutations tell the truth about an update in flight", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 5 }]);
    const lock = h.store.locks()[0]!;
    const ac = (await call(h, "/access_codes/create", { device_id: lock.deviceId, code: "1470", name: "a" })).access_code;
    expect(ac.pending_mutations.map((m: { mutation_code: string }) => m.mutation_code)).toEqual(["creating"]);
    await waitFor(() => codeOn(driver, "1470"), "set");
    driver.setFaults(lock.radioId, { unresponsive: true });
    await call(h, "/access_codes/update", { access_code_id: ac.access_code_id, code: "2581", ends_at: iso(T0 + DAY) });
    const mid = (await call(h, "/access_codes/get", { access_code_id: ac.access_code_id })).access_code;
    expectSeam("access_code", mid);
    const byCode = Object.fromEntries(mid.pending_mutations.map((m: { mutation_code: string }) => [m.mutation_code, m]));
    expect(byCode.updating_code).toMatchObject({ from: { code: "1470" }, to: { code: "2581" } });
    expect(byCode.updating_time_frame).toMatchObject({ from: { starts_at: null, ends_at: null }, to: { ends_at: iso(T0 + DAY) } });
    driver.setFaults(lock.radioId, { unresponsive: false });
    clock.advance(5 * MIN);
    await waitFor(async () => (await call(h, "/access_codes/get", { access_code_id: ac.access_code_id })).access_code.pending_mutations.length === 0, "mutations cleared once set");
    expect(codeOn(driver, "2581")).toBe(true);
  });

  it("create_multiple shares one code under auto_set_by_create_multiple_<uuid>; update_multiple moves the window", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [
      { name: "A", slots: 5 },
      { name: "B", slots: 5 },
    ]);
    const [a, b] = h.store.locks();
    const r = await call(h, "/access_codes/create_multiple", { device_ids: [a!.deviceId, b!.deviceId], name: "Family", starts_at: iso(T0), ends_at: iso(T0 + DAY) });
    const codes = r.access_codes as Array<Record<string, any>>;
    expect(codes).toHaveLength(2);
    expect(codes[0]!.code).toBe(codes[1]!.code);
    expect(codes[0]!.common_code_key).toMatch(/^auto_set_by_create_multiple_[0-9a-f-]{36}$/);
    expect(codes[1]!.common_code_key).toBe(codes[0]!.common_code_key);
    const custom = await call(h, "/access_codes/create_multiple", { device_ids: [a!.deviceId, b!.deviceId], code: "9182" });
    expect((custom.access_codes as Array<Record<string, any>>).every((c) => c.common_code_key === null)).toBe(true);
    await call(h, "/access_codes/update_multiple", { common_code_key: codes[0]!.common_code_key, name: "Family 2", ends_at: iso(T0 + 2 * DAY) });
    for (const c of codes) expect((await call(h, "/access_codes/get", { access_code_id: c.access_code_id })).access_code).toMatchObject({ name: "Family 2", ends_at: iso(T0 + 2 * DAY) });
    await waitFor(() => driver.fakes.every((f) => [...f.memory.values()].some((m) => m.code === codes[0]!.code)), "on both locks");
  });

  it("create_multiple with no code that fits every lock: throw creates nothing; create_random_code gives each its own", async () => {
    const clock = setup();
    const { hub: h } = await boot(clock, [
      { name: "Four", slots: 5, codeLengths: [4] },
      { name: "Six", slots: 5, codeLengths: [6] },
    ]);
    const ids = h.store.locks().map((l) => l.deviceId);
    const r = await h.router.handle({ path: "/access_codes/create_multiple", params: { device_ids: ids }, door: "http" });
    expect(r.status).toBe(400);
    expect(h.store.codes()).toHaveLength(0);
    const ok = await call(h, "/access_codes/create_multiple", { device_ids: ids, behavior_when_code_cannot_be_shared: "create_random_code" });
    const lens = (ok.access_codes as Array<{ code: string }>).map((c) => c.code.length).sort();
    expect(lens).toEqual([4, 6]);
  });

  it("backup pool: pull answers at once, the same backup on a second pull, pool refilled; ongoing codes are refused", async () => {
    const clock = setup();
    const { hub: h, driver } = await boot(clock, [{ name: "Door", slots: 8 }]);
    const device = h.store.locks()[0]!.deviceId;
    const ongoing = (await call(h, "/access_codes/create", { device_id: device, code: "1593", use_backup_access_code_pool: true })).access_code;
    const tb = (await call(h, "/access_codes/create", { device_id: device, code: "2604", starts_at: iso(T0), ends_at: iso(T0 + DAY), use_backup_access_code_pool: true })).access_code;
    await waitFor(async () => (await call(h, "/access_codes/get", { access_code_id: tb.access_code_id })).access_code.is_backup_access_code_available === true, "a backup is ready");
    expect(driver.fakes[0]!.memory.size).toBe(4); // two codes + two backups, programmed in reserved slots
    const refused = await h.router.handle({ path: "/access_codes/pull_backup_access_code", params: { access_code_id: ongoing.access_code_id }, door: "http" });
    expect(refused.status).toBe(400);
    expect((refused.body as { error: { type: string } }).error.type).toBe("access_code_not_time_bound");
    // With the lock off the air, the pull still answers at once: no radio wait, no cloud.
    await driver.disconnect(h.store.locks()[0]!.radioId);
    const pulled = (await call(h, "/access_codes/pull_backup_access_code", { access_code_id: tb.access_code_id })).backup_access_code;
    await driver.connect(h.store.locks()[0]!.radioId);
    expect(pulled).toMatchObject({ is_backup: true, status: "set", ends_at: iso(T0 + DAY) });
    expectSeam("access_code", pulled);
    expect(types(h, tb.access_code_id)).toContain("access_code.backup_access_code_pulled");
    expect((await call(h, "/access_codes/get", { access_code_id: tb.access_code_id })).access_code.pulled_backup_access_code_id).toBe(pulled.access_code_id);
    const again = (await call(h, "/access_codes/pull_backup_access_code", { access_code_id: tb.access_code_id })).backup_access_code;
    expect(again.access_code_id).toBe(pulled.access_code_id);
    await waitFor(() => h.store.codes().filter((c) => c.isBackup && c.backupState === "pool" && c.status === "set").length === 2, "pool refilled");
    for (const e of h.store.events({ limit: 1000 })) expectSeam("seam_event", e.body);
  });

  it("report_device_constraints narrows lengths; preferred_code_length is honoured; constraints reported", async () => {
    const clock = setup();
    const { hub: h } = await boot(clock, [{ name: "Door", slots: 5, codeLengths: [4, 5, 6, 7, 8] }]);
    const device = h.store.locks()[0]!.deviceId;
    const picked = (await call(h, "/access_codes/create", { device_id: device, preferred_code_length: 7 })).access_code;
    expect(picked.code).toHaveLength(7);
    await call(h, "/access_codes/report_device_constraints", { device_id: device, supported_code_lengths: [4, 5] });
    const dev = (await call(h, "/devices/get", { device_id: device })).device;
    expect(dev.properties.supported_code_lengths).toEqual([4, 5]);
    expect(dev.properties.code_constraints.length).toBeGreaterThan(0);
    const six = await h.router.handle({ path: "/access_codes/create", params: { device_id: device, code: "135792" }, door: "http" });
    expect(six.status).toBe(400);
    expect(JSON.stringify(six.body)).toMatch(/4 to 5 characters/);
    const bad = await h.router.handle({ path: "/access_codes/report_device_constraints", params: { device_id: device, supported_code_lengths: [12] }, door: "http" });
    expect(bad.status).toBe(400);
  });
});
