// lock_door / unlock_door and the lock's own reports through the agent in-process, on a fake driver
// (our own code mocked): attempts, serialisation with slot writes, retries and deadlines, idempotency,
// the remote-unlock switch, events, metrics and persistence. The real radios: test/drivers, test/e2e.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import type { LockDriver } from "../../drivers/contract.js";
import { FakeDriver } from "../support/fake-driver.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";

let hub: Hub | null = null;
let driver: FakeDriver;
const dirs: string[] = [];

function config(over: Record<string, unknown> = {}, dir = mkdtempSync(path.join(tmpdir(), "lb-ops-"))): HubConfig {
  dirs.push(dir);
  const parsed = configSchema.parse({
    data_dir: dir,
    local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) },
    timing: { delay_warning_after_ms: 300, failure_after_ms: 1500, program_ahead_ms: 1000, lock_operation_timeout_ms: 3000 },
    ...over,
  });
  return { ...parsed, hub_id: "5d0c1f6e-0000-4000-8000-00000000abcd", workspace_id: "5d0c1f6e-0000-4000-8000-00000000abce", connected_account_id: "5d0c1f6e-0000-4000-8000-00000000abcf", local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
}

async function start(cfg = config(), drivers: () => Promise<LockDriver[]> = async () => [driver]): Promise<Hub> {
  hub = new Hub(cfg, { logger: createLogger({ level: "silent" }), drivers });
  await hub.start();
  return hub;
}

async function ready(): Promise<void> {
  await waitFor(() => hub!.store.locks().length === 1 && hub!.store.locks().every((l) => l.slotsSynced) && hub!.registry.executor(front())?.lockHandle, "lock synced");
}

afterEach(async () => {
  await hub?.stop();
  hub = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const call = async (p: string, params: unknown = {}, requestId?: string) => hub!.router.handle({ path: p, params, door: requestId ? "cloud" : "http", ...(requestId ? { requestId } : {}) });
const front = () => hub!.store.locks()[0]!.deviceId;
const fake = () => driver.fakes[0]!;
const attemptOf = async (id: string) => ((await call("/action_attempts/get", { action_attempt_id: id })).body as { action_attempt: Record<string, any> }).action_attempt;
const settledAttempt = (id: string, ms = 10_000) => waitFor(async () => ((await attemptOf(id)).status !== "pending" ? attemptOf(id) : null), `attempt ${id} settled`, ms, 20);
const deviceOf = async () => ((await call("/devices/get", { device_id: front() })).body as { device: Record<string, any> }).device;
const events = () => hub!.store.events({ limit: 10_000 }).map((e) => e.body as Record<string, any>);

async function request(path: "/locks/lock_door" | "/locks/unlock_door", requestId?: string): Promise<Record<string, any>> {
  const r = await call(path, { device_id: front() }, requestId);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body as { action_attempt: Record<string, any> }).action_attempt;
}

describe("lock_door / unlock_door", () => {
  it("answers at once with a pending attempt that succeeds once the lock confirms; state, event and metrics follow", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    expect(await deviceOf()).toMatchObject({ can_remotely_lock: true, can_remotely_unlock: true, properties: { locked: true, door_open: false } });
    expectSeam("device", await deviceOf());
    const pending = await request("/locks/unlock_door");
    expect(pending).toMatchObject({ action_type: "UNLOCK_DOOR", status: "pending", result: null, error: null });
    expectSeam("action_attempt", pending);
    const done = await settledAttempt(pending.action_attempt_id);
    expect(done).toEqual({ action_attempt_id: pending.action_attempt_id, action_type: "UNLOCK_DOOR", status: "success", result: { was_confirmed_by_device: true }, error: null });
    expectSeam("action_attempt", done);
    expect(fake().locked).toBe(false);
    await waitFor(async () => (await deviceOf()).properties.locked === false, "device unlocked");
    expectSeam("device", await deviceOf());
    const unlocked = events().filter((e) => e.event_type === "lock.unlocked");
    expect(unlocked).toHaveLength(1);
    expect(unlocked[0]).toMatchObject({ method: "remote", action_attempt_id: pending.action_attempt_id, device_id: front() });
    for (const e of events()) expectSeam("seam_event", e);
    const locked = await request("/locks/lock_door");
    expect((await settledAttempt(locked.action_attempt_id)).status).toBe("success");
    expect(hub!.metrics.counters().lock_operations).toEqual({ lock_success: 1, unlock_success: 1 });
    expect(hub!.metricsText()).toMatch(/lockbridge_lock_operations_total\{action="unlock",result="success"\} 1/);
    const list = (await call("/action_attempts/list", { device_id: front() })).body as { action_attempts: Array<Record<string, any>> };
    expect(list.action_attempts.map((a) => a.action_type)).toEqual(["UNLOCK_DOOR", "LOCK_DOOR"]);
  });

  it("queues behind a slot write in flight, never interleaves with it, and goes ahead of the codes still waiting", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    fake().callMs = 150;
    fake().calls.length = 0;
    for (const code of ["4821", "5930", "6142"]) expect((await call("/access_codes/create", { device_id: front(), code })).status).toBe(200);
    await waitFor(() => fake().calls.includes("writeSlot(1):start"), "first write started");
    const attempt = await request("/locks/unlock_door");
    expect((await settledAttempt(attempt.action_attempt_id)).status).toBe("success");
    await waitFor(() => fake().calls.filter((c) => c.endsWith(":end")).length >= 4, "all radio work done");
    const calls = fake().calls.filter((c) => !c.startsWith("readLockState"));
    // One radio call at a time: every start is followed by its own end.
    for (let i = 0; i < calls.length; i += 2) expect(calls[i + 1]).toBe(calls[i]!.replace(":start", ":end"));
    const order = calls.filter((c) => c.endsWith(":start")).map((c) => c.replace(":start", ""));
    expect(order.slice(0, 2)).toEqual(["writeSlot(1)", "setLocked(false)"]);
    expect(order.slice(2).sort()).toEqual(["writeSlot(2)", "writeSlot(3)"]);
  });

  it("a lock that refuses: the attempt ends in error lock_refused at once, counted", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    driver.setFaults(fake().identity.radioId, { jammed: true });
    const attempt = await request("/locks/unlock_door");
    const done = await settledAttempt(attempt.action_attempt_id);
    expect(done).toMatchObject({ status: "error", result: null, error: { type: "lock_refused" } });
    expect(done.error.message).toMatch(/refused to unlock: the bolt is jammed/);
    expectSeam("action_attempt", done);
    expect(fake().locked).toBe(true);
    expect(hub!.metrics.counters().lock_operations).toEqual({ unlock_error: 1 });
    expect(events().filter((e) => e.event_type === "lock.unlocked")).toEqual([]);
  });

  it("a lock that does not answer: quick retries, then backoff, then error at the deadline; bounded", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    driver.setFaults(fake().identity.radioId, { unresponsive: true });
    const commands = fake().commands;
    const t0 = Date.now();
    const attempt = await request("/locks/unlock_door");
    const done = await settledAttempt(attempt.action_attempt_id);
    const took = Date.now() - t0;
    expect(done).toMatchObject({ status: "error", error: { type: "device_offline" } });
    // lock_operation_timeout_ms is 3 s: never much later, and a handful of tries, not a loop.
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(6000);
    const tries = fake().commands - commands;
    expect(tries).toBeGreaterThanOrEqual(3);
    expect(tries).toBeLessThanOrEqual(6);
    // Nothing more is sent for it afterwards: a door must not open late.
    driver.setFaults(fake().identity.radioId, { unresponsive: false });
    await sleep(2500);
    expect(fake().locked).toBe(true);
    expect(fake().commands - commands).toBe(tries);
  });

  it("a lock removed through pairing while an operation waits: the attempt ends device_removed, nothing is sent after", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    driver.setFaults(fake().identity.radioId, { unresponsive: true });
    const deviceId = front();
    const attempt = await request("/locks/unlock_door");
    await waitFor(() => hub!.store.lockOperations(deviceId).length === 1 && fake().commands > 0, "the unlock being tried");
    const t0 = Date.now();
    expect(hub!.registry.purge(deviceId)).toBe(true);
    const done = await settledAttempt(attempt.action_attempt_id, 2000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(done).toMatchObject({ status: "error", error: { type: "device_removed" } });
    expectSeam("action_attempt", done);
    expect(hub!.store.lockOperations(deviceId)).toEqual([]);
    expect(hub!.store.lock(deviceId)).toBeUndefined();
    const commands = fake().commands;
    driver.setFaults(fake().identity.radioId, { unresponsive: false });
    await sleep(1500);
    expect(fake().commands).toBe(commands);
    expect(fake().locked).toBe(true);
  });

  it("a lock known to be offline: the attempt fails at once without radio traffic", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    await driver.disconnect(fake().identity.radioId);
    await waitFor(() => hub!.store.lock(front())!.online === false, "offline");
    const calls = fake().calls.length;
    const attempt = await request("/locks/lock_door");
    const done = await settledAttempt(attempt.action_attempt_id, 2000);
    expect(done).toMatchObject({ status: "error", error: { type: "device_offline" } });
    expect(fake().calls.length).toBe(calls);
  });

  it("a request id repeated on the cloud door unlocks once and answers the same attempt", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    const id = randomUUID();
    const [a, b] = await Promise.all([request("/locks/unlock_door", id), request("/locks/unlock_door", id)]);
    const c = await request("/locks/unlock_door", id);
    expect(b.action_attempt_id).toBe(a.action_attempt_id);
    expect(c.action_attempt_id).toBe(a.action_attempt_id);
    await settledAttempt(a.action_attempt_id);
    await sleep(300);
    expect(fake().calls.filter((x) => x === "setLocked(false):start")).toHaveLength(1);
    expect(fake().boltMoves).toBe(1);
    expect(hub!.store.actionAttempts({ deviceId: front() }).filter((x) => x.type === "UNLOCK_DOOR")).toHaveLength(1);
  });

  it("sync: true is refused naming the field; an unknown device is 404", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    const r = await call("/locks/unlock_door", { device_id: front(), sync: true });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toMatch(/sync/);
    expect((await call("/locks/lock_door", { device_id: randomUUID() })).status).toBe(404);
    expect(hub!.store.actionAttempts({ deviceId: front() })).toEqual([]);
  });
});

describe("allow_remote_unlock: false", () => {
  it("refuses unlock_door with a clear 400 naming the key, changes nothing; lock_door still works", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start(config({ allow_remote_unlock: false }));
    await ready();
    expect(await deviceOf()).toMatchObject({ can_remotely_lock: true, can_remotely_unlock: false });
    const r = await call("/locks/unlock_door", { device_id: front() });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { type: "unsupported" } });
    expect((r.body as { error: { message: string } }).error.message).toMatch(/allow_remote_unlock/);
    expect(hub!.store.actionAttempts({ deviceId: front() })).toEqual([]);
    await sleep(200);
    expect(fake().boltMoves).toBe(0);
    const locked = await request("/locks/lock_door");
    expect((await settledAttempt(locked.action_attempt_id)).status).toBe("success");
  });
});

describe("the lock's own reports", () => {
  it("access denied (with the managed code refused), tampering, battery status and low battery, each once and Seam-valid", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4, native: true }]);
    await start();
    await ready();
    const radioId = fake().identity.radioId;
    const startsAt = new Date(Date.now() + 3600_000).toISOString();
    const endsAt = new Date(Date.now() + 7200_000).toISOString();
    const created = (await call("/access_codes/create", { device_id: front(), code: "4821", starts_at: startsAt, ends_at: endsAt })).body as { access_code: { access_code_id: string } };
    const id = created.access_code.access_code_id;
    await waitFor(() => [...fake().memory.values()].some((m) => m.code === "4821"), "scheduled code on the lock");
    expect(await driver.keypadUnlock(radioId, "4821")).toEqual({ unlocked: false, slot: null });
    expect(await driver.keypadUnlock(radioId, "9999")).toEqual({ unlocked: false, slot: null });
    await driver.tamper(radioId);
    // The fake lock starts at 80% ("good").
    await driver.setBatteryLevel(radioId, 100);
    await driver.setBatteryLevel(radioId, 55);
    await driver.setBatteryLevel(radioId, 15);
    await driver.setBatteryLevel(radioId, 12);
    await waitFor(() => events().filter((e) => e.event_type === "device.battery_status_changed").length === 3, "battery events");
    const denied = events().filter((e) => e.event_type === "lock.access_denied");
    expect(denied.map((e) => e.access_code_id ?? null)).toEqual([id, null]);
    expect(events().filter((e) => e.event_type === "device.tampered")).toHaveLength(1);
    const statuses = events().filter((e) => e.event_type === "device.battery_status_changed");
    expect(statuses.map((e) => [e.battery_status, e.battery_level])).toEqual([
      ["full", 1],
      ["good", 0.55],
      ["low", 0.15],
    ]);
    const low = events().filter((e) => e.event_type === "device.low_battery");
    expect(low.map((e) => e.battery_level)).toEqual([0.15]);
    for (const e of events()) expectSeam("seam_event", e);
    expect((await deviceOf()).properties.battery).toEqual({ level: 0.12, status: "low" });
  });

  it("keypad, thumb turn and door: lock.unlocked/locked with method and code, properties.locked and door_open follow", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    await start();
    await ready();
    const radioId = fake().identity.radioId;
    const created = (await call("/access_codes/create", { device_id: front(), code: "4821" })).body as { access_code: { access_code_id: string } };
    await waitFor(async () => ((await call("/access_codes/get", { access_code_id: created.access_code.access_code_id })).body as any).access_code.status === "set", "set");
    await driver.keypadUnlock(radioId, "4821");
    await driver.setDoorOpen(radioId, true);
    await waitFor(async () => (await deviceOf()).properties.door_open === true, "door open");
    expect((await deviceOf()).properties.locked).toBe(false);
    await driver.setDoorOpen(radioId, false);
    await driver.turnThumbTurn(radioId, true);
    await waitFor(async () => (await deviceOf()).properties.locked === true, "locked");
    const ops = events().filter((e) => e.event_type.startsWith("lock."));
    expect(ops.map((e) => [e.event_type, e.method, e.access_code_id ?? null, e.access_code_is_managed ?? null])).toEqual([
      ["lock.unlocked", "keycode", created.access_code.access_code_id, true],
      ["lock.locked", "manual", null, null],
    ]);
  });
});

describe("persistence", () => {
  it("the last reported state is kept across a restart, and an acknowledged unlock still runs when the radio comes up in time", async () => {
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    const cfg = config({ timing: { lock_operation_timeout_ms: 20_000 } });
    await start(cfg);
    await ready();
    await driver.turnThumbTurn(fake().identity.radioId, false);
    await waitFor(() => hub!.store.lock(front())!.lockState.locked === false, "unlocked recorded");
    await hub!.stop();
    // The radio does not come up: the stored state is what the device shows.
    let release: () => void = () => undefined;
    const radioUp = new Promise<void>((r) => (release = r));
    driver = new FakeDriver([{ name: "Front", slots: 4 }]);
    driver.fakes[0]!.locked = false;
    hub = new Hub(cfg, {
      logger: createLogger({ level: "silent" }),
      drivers: async () => {
        await radioUp;
        return [driver];
      },
    });
    // start() resolves once the drivers exist; the API answers before that, from the store.
    const started = hub.start();
    await waitFor(() => hub!.store.locks().length === 1, "stored lock");
    expect((await deviceOf()).properties.locked).toBe(false);
    const attempt = await request("/locks/lock_door");
    await sleep(300);
    expect((await attemptOf(attempt.action_attempt_id)).status).toBe("pending");
    release();
    await started;
    expect((await settledAttempt(attempt.action_attempt_id)).status).toBe("success");
    expect(driver.fakes[0]!.locked).toBe(true);
  });
});
