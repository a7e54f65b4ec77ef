// The agent end to end in-process on a fake driver (our own code mocked): lifecycle, classification, faults.
// The same behaviours run against the real radios in test/e2e and test/drivers.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";

let hub: Hub;
let driver: FakeDriver;
let dir: string;

function config(): HubConfig {
  dir = mkdtempSync(path.join(tmpdir(), "lb-core-"));
  const parsed = configSchema.parse({ data_dir: dir, local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, timing: { delay_warning_after_ms: 300, failure_after_ms: 1500, program_ahead_ms: 1000 } });
  return { ...parsed, hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
}

const call = async (p: string, params: unknown = {}) => hub.router.handle({ path: p, params, door: "http" });
const events = () => hub.store.events({ limit: 10_000 }).map((e) => e.body as Record<string, unknown> & { event_type: string });
const eventTypes = (id: string) => events().filter((e) => e.access_code_id === id).map((e) => e.event_type);
const codeOf = async (id: string) => ((await call("/access_codes/get", { access_code_id: id })).body as { access_code: Record<string, any> }).access_code;

beforeEach(async () => {
  driver = new FakeDriver([{ name: "Front", slots: 4 }, { name: "Side", slots: 3, checksum: false }]);
  hub = new Hub(config(), { logger: createLogger({ level: "silent" }), drivers: async () => [driver] });
  await hub.start();
  await waitFor(() => hub.store.locks().length === 2 && hub.store.locks().every((l) => l.slotsSynced), "locks synced");
});
afterEach(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

const front = () => hub.store.locks().find((l) => l.name === "Front")!;
const radio = () => driver.fakes[0]!;

async function created(code = "4821", extra: Record<string, unknown> = {}) {
  const r = await call("/access_codes/create", { device_id: front().deviceId, name: "Guest", code, ...extra });
  expect(r.status).toBe(200);
  return (r.body as { access_code: Record<string, any> }).access_code;
}

describe("hub core on a fake driver", () => {
  it("create -> setting -> set, events in order, Seam-valid", async () => {
    const ac = await created();
    expectSeam("access_code", ac);
    expect(ac.status).toBe("setting");
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set");
    expect(eventTypes(ac.access_code_id)).toEqual(["access_code.created", "access_code.set_on_device"]);
    expect([...radio().memory.values()].map((m) => m.code)).toEqual(["4821"]);
    for (const e of events()) expectSeam("seam_event", e);
    expectSeam("access_code", await codeOf(ac.access_code_id));
  });

  it("delete -> removing -> removed_from_device, deleted, 404", async () => {
    const ac = await created();
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set");
    expect((await call("/access_codes/delete", { access_code_id: ac.access_code_id })).status).toBe(200);
    await waitFor(async () => (await call("/access_codes/get", { access_code_id: ac.access_code_id })).status === 404, "gone");
    expect(eventTypes(ac.access_code_id)).toEqual(["access_code.created", "access_code.set_on_device", "access_code.removed_from_device", "access_code.deleted"]);
    expect(radio().memory.size).toBe(0);
  });

  it("update rewrites the slot and confirms", async () => {
    const ac = await created();
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set");
    await call("/access_codes/update", { access_code_id: ac.access_code_id, code: "5930" });
    await waitFor(() => [...radio().memory.values()].some((m) => m.code === "5930"), "new value on lock");
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set again");
    expect(radio().memory.size).toBe(1);
    expect(eventTypes(ac.access_code_id)).toContain("access_code.changed");
  });

  it("rejects misfits and duplicates before any radio traffic", async () => {
    const before = radio().commands;
    const short = await call("/access_codes/create", { device_id: front().deviceId, code: "12" });
    expect(short.status).toBe(400);
    expect(JSON.stringify(short.body)).toMatch(/code must be 4 to 6 characters/);
    expect(JSON.stringify(short.body)).not.toContain('"12"');
    await created("7391");
    const dup = await call("/access_codes/create", { device_id: front().deviceId, code: "7391" });
    expect(dup.status).toBe(400);
    expect((dup.body as { error: { type: string } }).error.type).toBe("duplicate_access_code");
    expect(radio().commands - before).toBeLessThanOrEqual(2);
  });

  it("keypad edit of a managed code: modified_external_to_seam, error, restored", async () => {
    const ac = await created();
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set");
    const slot = [...radio().memory.keys()][0]!;
    await driver.keypadSetCode(front().radioId, slot, "1357");
    await waitFor(() => eventTypes(ac.access_code_id).includes("access_code.modified_external_to_seam"), "modified event");
    await waitFor(() => radio().memory.get(slot)?.code === "4821", "restored");
    await waitFor(async () => (await codeOf(ac.access_code_id)).errors.length === 0, "error cleared once restored");
  });

  it("keypad code in a free slot becomes an unmanaged code; clearing it removes it", async () => {
    await driver.keypadSetCode(front().radioId, 3, "2468");
    await waitFor(() => events().some((e) => e.event_type === "access_code.unmanaged.created"), "unmanaged.created");
    const u = hub.store.unmanaged()[0]!;
    expect(u.slot).toBe(3);
    const dup = await call("/access_codes/create", { device_id: front().deviceId, code: "2468" });
    expect((dup.body as { error: { type: string } }).error.type).toBe("duplicate_access_code");
    await driver.keypadClearCode(front().radioId, 3);
    await waitFor(() => events().some((e) => e.event_type === "access_code.unmanaged.removed"), "unmanaged.removed");
  });

  it("a keypad code whose read goes unanswered is read again, bounded (3 reads), not left for the next sync", async () => {
    radio().failReads = 2;
    const before = radio().slotReads;
    await driver.keypadSetCode(front().radioId, 3, "2468");
    await waitFor(() => hub.store.unmanaged().some((u) => u.slot === 3), "unmanaged after two lost reads", 10_000);
    expect(radio().slotReads - before).toBe(3);
    // A lock that never answers: three reads, then the hub leaves the slot to the next sync.
    radio().failReads = 100;
    const from = radio().slotReads;
    await driver.keypadSetCode(front().radioId, 4, "1357");
    await waitFor(() => radio().slotReads - from === 3, "three reads", 10_000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(radio().slotReads - from).toBe(3);
    expect(hub.store.unmanaged().some((u) => u.slot === 4)).toBe(false);
    radio().failReads = 0;
  });

  it("full lock: no_space error, programmed when a slot frees", async () => {
    for (const [i, c] of ["1470", "2581", "3692", "4703"].entries()) await driver.keypadSetCode(front().radioId, i + 1, c);
    await waitFor(() => hub.store.unmanaged().length === 4, "4 unmanaged");
    const ac = await created("8024");
    await waitFor(async () => (await codeOf(ac.access_code_id)).errors.some((e: { error_code: string }) => e.error_code === "no_space_for_access_code_on_device"), "no_space");
    await driver.keypadClearCode(front().radioId, 2);
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set after slot freed");
    expect(radio().memory.get(2)?.code).toBe("8024");
  });

  it("a lock that refuses: failed_to_set_on_device at once, no retry loop", async () => {
    driver.setFaults(front().radioId, { rejects_codes: true });
    const ac = await created();
    await waitFor(() => eventTypes(ac.access_code_id).includes("access_code.failed_to_set_on_device"), "failed event");
    const n = radio().commands;
    await new Promise((r) => setTimeout(r, 300));
    expect(radio().commands).toBe(n);
  });

  it("an unresponsive lock: delay warning, then failed after failure_after_ms, bounded commands", async () => {
    driver.setFaults(front().radioId, { unresponsive: true });
    const ac = await created();
    await waitFor(() => eventTypes(ac.access_code_id).includes("access_code.delay_in_setting_on_device"), "delay warning", 5000);
    await waitFor(() => eventTypes(ac.access_code_id).includes("access_code.failed_to_set_on_device"), "failed", 5000);
    expect(radio().commands).toBeLessThan(20);
  });

  it("offline lock: device_offline on device and codes; work resumes on return", async () => {
    await driver.disconnect(front().radioId);
    const ac = await created();
    const code = await codeOf(ac.access_code_id);
    expect(code.errors.map((e: { error_code: string }) => e.error_code)).toContain("device_offline");
    expectSeam("access_code", code);
    const dev = (await call("/devices/get", { device_id: front().deviceId })).body as { device: Record<string, any> };
    expect(dev.device.properties.online).toBe(false);
    await driver.connect(front().radioId);
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set after reconnect");
  });

  it("one-time code: deleted after its first keypad use, lock.unlocked carries the id", async () => {
    const ac = await created("6047", { is_one_time_use: true });
    await waitFor(async () => (await codeOf(ac.access_code_id)).status === "set", "set");
    await driver.keypadUnlock(front().radioId, "6047");
    await waitFor(() => events().some((e) => e.event_type === "lock.unlocked" && e.access_code_id === ac.access_code_id && e.method === "keycode"), "unlock event");
    await waitFor(() => eventTypes(ac.access_code_id).includes("access_code.deleted"), "deleted after use");
    expect(radio().memory.size).toBe(0);
    for (const e of events()) expectSeam("seam_event", e);
  });

  it("request ids are idempotent across the router", async () => {
    const body = { device_id: front().deviceId, code: "3579" };
    const a = await hub.router.handle({ path: "/access_codes/create", params: body, requestId: "r1", door: "cloud" });
    const b = await hub.router.handle({ path: "/access_codes/create", params: body, requestId: "r1", door: "cloud" });
    expect(b).toEqual(a);
    expect(hub.store.codes().length).toBe(1);
  });

  it("a refused request's recorded answer commits FULL (it must survive a power cut), a read's does not", async () => {
    const modes: number[] = [];
    const record = hub.store.recordResponse.bind(hub.store);
    hub.store.recordResponse = (...args) => (modes.push(Number(hub.db.pragma("synchronous", { simple: true }))), record(...args));
    const refused = await hub.router.handle({ path: "/access_codes/create", params: { device_id: front().deviceId, code: "12" }, requestId: "bad", door: "cloud" });
    expect(refused.status).toBe(400);
    const read = await hub.router.handle({ path: "/access_codes/list", params: { device_id: front().deviceId }, requestId: "read", door: "cloud" });
    expect(read.status).toBe(200);
    expect(modes).toEqual([2, 1]); // FULL, NORMAL
    expect(hub.db.pragma("synchronous", { simple: true })).toBe(1);
    // And the refusal is answered the same way again, without running.
    expect(await hub.router.handle({ path: "/access_codes/create", params: { device_id: front().deviceId, code: "12" }, requestId: "bad", door: "cloud" })).toEqual(refused);
  });

  it("a simulation path on a simulated lock its radio has not brought up yet: 400 naming device_id, not a 500", async () => {
    const known = front().deviceId;
    await hub.stop();
    // Restart on the same data with a radio that never brings its locks up.
    const silent = new FakeDriver([{ name: "Front", slots: 4 }]);
    silent.start = async () => {};
    const same = dir;
    const cfg = config();
    rmSync(dir, { recursive: true, force: true });
    dir = same;
    hub = new Hub({ ...cfg, data_dir: same }, { logger: createLogger({ level: "silent" }), drivers: async () => [silent] });
    await hub.start();
    for (const p of ["/hub/simulate/lock_slots", "/hub/simulate/keypad_clear_code"]) {
      const r = await call(p, { device_id: known, slot: 1 });
      expect(r.status, p).toBe(400);
      expect(r.body).toMatchObject({ error: { type: "invalid_input", data: { field: "device_id" } } });
      expect((r.body as { error: { message: string } }).error.message).toMatch(/not on its radio yet/);
    }
    expect(silent.fakes[0]!.memory.size).toBe(0); // nothing reached the lock
  });

  it("/hub/simulate/profiles lists every lock model of the catalogue with its radio, maker and model", async () => {
    const r = await call("/hub/simulate/profiles", {});
    expect(r.status).toBe(200);
    const { profiles } = r.body as { profiles: Array<{ profile: string; protocol: string; manufacturer: string; model: string }> };
    expect(profiles.filter((p) => p.protocol === "zwave").length).toBeGreaterThanOrEqual(6);
    expect(profiles.filter((p) => p.protocol === "zigbee").length).toBeGreaterThanOrEqual(3);
    expect(profiles).toContainEqual({ profile: "yale_yrd226_zigbee", protocol: "zigbee", manufacturer: "Yale", model: "YRD226 TSDB" });
    expect(Object.keys(profiles[0]!).sort()).toEqual(["manufacturer", "model", "profile", "protocol"]);
  });
});
