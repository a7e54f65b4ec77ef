// Issue 14: lock state and remote control through the hub process (`npm run agent`), on simulated
// Z-Wave and Zigbee locks, with the official Seam SDK as client and a test cloud on the WebSocket door.
// Every action attempt, device and event is checked against @seamapi/types 1.885.0.
import { isSeamActionAttemptFailedError } from "@seamapi/http/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud, type SeamEvent } from "../support/test-cloud.js";

const pins = new PinLedger();
let cloud: TestCloud;
let hub: HubProcess;
const dev: Record<string, string> = {};

beforeAll(async () => {
  cloud = await new TestCloud().listen();
  hub = new HubProcess({
    cloud: { url: cloud.url, token: cloud.token },
    timing: { lock_operation_timeout_ms: 8000 },
    extra: { metrics: { enabled: true } },
    locks: [
      { protocol: "zwave", name: "Front", slots: 10, code_lengths: [4, 5, 6], checksum: true },
      { protocol: "zigbee", name: "Back", slots: 10, code_lengths: [4, 5, 6] },
      { protocol: "zwave", name: "Relock", slots: 4, code_lengths: [4, 5, 6], auto_relock_s: 1 },
      { protocol: "zigbee", name: "Garage", slots: 4, code_lengths: [4, 5, 6], auto_relock_s: 1 },
      { protocol: "zwave", name: "Shed", slots: 4, code_lengths: [4, 5, 6] },
    ],
  });
  await hub.start();
  for (const [name, d] of await hub.devices()) dev[name] = d.device_id as string;
  await waitFor(() => cloud.connected, "cloud link");
});

afterAll(async () => {
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  await cloud?.close();
  expect(pins.leaked(logs)).toEqual([]);
  for (const e of cloud?.events ?? []) expectSeam("seam_event", e);
});

const call = async (path: string, body: Record<string, unknown>) => {
  const r = await hub.post(path, body);
  if (r.status !== 200) throw new Error(`${path} -> ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const device = async (name: string) => (await call("/devices/get", { device_id: dev[name] })).device as Record<string, any>;
const physical = async (name: string) => (await call("/hub/simulate/door", { device_id: dev[name] })).door as { locked: boolean; door_open: boolean; bolt_moves: number };
const waitEvent = (type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 15_000) => cloud.waitEvent(type, pred, ms);
const eventsOf = (name: string, type: string) => cloud.events.filter((e) => e.device_id === dev[name] && e.event_type === type);

async function managedCode(name: string, code: string): Promise<string> {
  const ac = await hub.http.accessCodes.create({ device_id: dev[name]!, name: `c${code}`, code: pins.use(code) });
  await waitFor(async () => (await hub.http.accessCodes.get({ access_code_id: ac.access_code_id })).status === "set", `code on ${name}`);
  return ac.access_code_id;
}

describe.each(["Front", "Back"])("remote control of %s (SDK)", (name) => {
  it("unlockDoor / lockDoor with waitForActionAttempt: success, the bolt moves, state and events follow", async () => {
    expect(await device(name)).toMatchObject({ can_remotely_lock: true, can_remotely_unlock: true, properties: { locked: true, door_open: false } });
    expectSeam("device", await device(name));
    const t0 = Date.now();
    const unlocked = await hub.http.locks.unlockDoor({ device_id: dev[name]! }, { waitForActionAttempt: { timeout: 10_000, pollingInterval: 100 } });
    expect(unlocked).toMatchObject({ action_type: "UNLOCK_DOOR", status: "success", result: { was_confirmed_by_device: true }, error: null });
    expectSeam("action_attempt", unlocked);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await physical(name)).locked).toBe(false);
    const event = await waitEvent("lock.unlocked", (e) => e.device_id === dev[name] && e.action_attempt_id === unlocked.action_attempt_id);
    expect(event).toMatchObject({ method: "remote" });
    await waitFor(async () => (await device(name)).properties.locked === false, "device unlocked");
    // The cloud hears of it in a state frame.
    await cloud.waitFrame((f) => f.type === "state" && ((f.devices as Array<Record<string, any>> | undefined) ?? []).some((d) => d.device_id === dev[name] && d.properties.locked === false), "state frame with the lock unlocked");
    const locked = await hub.http.locks.lockDoor({ device_id: dev[name]! }, { waitForActionAttempt: { timeout: 10_000, pollingInterval: 100 } });
    expect(locked).toMatchObject({ action_type: "LOCK_DOOR", status: "success" });
    expect((await physical(name)).locked).toBe(true);
    await waitFor(async () => (await device(name)).properties.locked === true, "device locked");
    await sleep(1000);
    expect(eventsOf(name, "lock.unlocked").filter((e) => e.method === "remote")).toHaveLength(1);
    expect(eventsOf(name, "lock.locked").filter((e) => e.method === "remote")).toHaveLength(1);
    const listed = await hub.http.actionAttempts.list({ action_attempt_ids: [unlocked.action_attempt_id, locked.action_attempt_id] });
    expect(listed.map((a) => a.status)).toEqual(["success", "success"]);
  });

  it("keypad unlock with a managed code: lock.unlocked keycode with its access_code_id; a wrong code: lock.access_denied", async () => {
    const code = name === "Front" ? "4821" : "5930";
    const id = await managedCode(name, code);
    const entry = await hub.http.locks.simulate.keypadCodeEntry({ device_id: dev[name]!, code });
    expect(entry).toMatchObject({ action_type: "SIMULATE_KEYPAD_CODE_ENTRY", status: "success" });
    expectSeam("action_attempt", entry);
    const e = await waitEvent("lock.unlocked", (x) => x.device_id === dev[name] && x.method === "keycode");
    expect(e).toMatchObject({ access_code_id: id, access_code_is_managed: true });
    await waitFor(async () => (await device(name)).properties.locked === false, "unlocked by keypad");
    await hub.http.locks.simulate.keypadCodeEntry({ device_id: dev[name]!, code: pins.use("9999") });
    const denied = await waitEvent("lock.access_denied", (x) => x.device_id === dev[name]);
    expect(denied.access_code_id).toBeUndefined();
    expect((await physical(name)).locked).toBe(false);
  });

  it("manual: the thumb turn and the keypad's lock button lock it (method manual)", async () => {
    const from = cloud.events.length;
    await call("/hub/simulate/thumb_turn", { device_id: dev[name], locked: true });
    await waitFor(() => cloud.events.slice(from).find((e) => e.event_type === "lock.locked" && e.device_id === dev[name] && e.method === "manual"), "thumb turn locked");
    await call("/hub/simulate/thumb_turn", { device_id: dev[name], locked: false });
    await waitFor(() => cloud.events.slice(from).find((e) => e.event_type === "lock.unlocked" && e.device_id === dev[name] && e.method === "manual"), "thumb turn unlocked");
    const button = await hub.http.locks.simulate.manualLockViaKeypad({ device_id: dev[name]! });
    expect(button).toMatchObject({ action_type: "SIMULATE_MANUAL_LOCK_VIA_KEYPAD", status: "success" });
    await waitFor(() => cloud.events.slice(from).filter((e) => e.event_type === "lock.locked" && e.device_id === dev[name] && e.method === "manual").length === 2, "keypad button locked");
    await waitFor(async () => (await device(name)).properties.locked === true, "locked");
    expect((await physical(name)).locked).toBe(true);
  });

  it("door sensor: door_open follows the door", async () => {
    await call("/hub/simulate/door", { device_id: dev[name], open: true });
    await waitFor(async () => (await device(name)).properties.door_open === true, "door open");
    await call("/hub/simulate/door", { device_id: dev[name], open: false });
    await waitFor(async () => (await device(name)).properties.door_open === false, "door closed");
  });
});

describe.each(["Relock", "Garage"])("automatic relock on %s", (name) => {
  it("after a remote unlock the lock relocks itself: lock.locked automatic, properties.locked true", async () => {
    const unlocked = await hub.http.locks.unlockDoor({ device_id: dev[name]! }, { waitForActionAttempt: { timeout: 10_000, pollingInterval: 100 } });
    expect(unlocked.status).toBe("success");
    const relocked = await waitEvent("lock.locked", (e) => e.device_id === dev[name] && e.method === "automatic", 8000);
    expect(relocked.action_attempt_id).toBeUndefined();
    await waitFor(async () => (await device(name)).properties.locked === true, "relocked");
    expect((await physical(name)).locked).toBe(true);
  });
});

describe("faults and limits", () => {
  it("an offline lock's attempt ends in error (device_offline), bounded; nothing moves", async () => {
    await call("/devices/simulate/disconnect", { device_id: dev.Shed });
    await waitFor(async () => (await device("Shed")).properties.online === false, "Shed offline");
    const t0 = Date.now();
    const failure: unknown = await hub.http.locks.unlockDoor({ device_id: dev.Shed! }, { waitForActionAttempt: { timeout: 10_000, pollingInterval: 100 } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isSeamActionAttemptFailedError(failure)).toBe(true);
    if (!isSeamActionAttemptFailedError(failure)) return;
    expect(failure.code).toBe("device_offline");
    expectSeam("action_attempt", failure.actionAttempt);
    expect(Date.now() - t0).toBeLessThan(9000);
    expect((await physical("Shed")).bolt_moves).toBe(0);
    await call("/devices/simulate/connect", { device_id: dev.Shed });
    await waitFor(async () => (await device("Shed")).properties.online === true, "Shed back");
    await sleep(500);
    expect((await physical("Shed")).locked).toBe(true);
  });

  it("a jammed lock: the attempt ends in error (lock_refused)", async () => {
    await call("/hub/simulate/lock_faults", { device_id: dev.Shed, jammed: true });
    try {
      const r = await hub.post("/locks/unlock_door", { device_id: dev.Shed });
      const id = r.body.action_attempt.action_attempt_id as string;
      const done = await waitFor(async () => {
        const a = (await call("/action_attempts/get", { action_attempt_id: id })).action_attempt as Record<string, any>;
        return a.status === "pending" ? null : a;
      }, "attempt ended");
      expect(done).toMatchObject({ status: "error", error: { type: "lock_refused" } });
      expectSeam("action_attempt", done);
    } finally {
      await call("/hub/simulate/lock_faults", { device_id: dev.Shed, jammed: false });
    }
  });

  it("a request id repeated on the cloud door unlocks once and answers with the same attempt", async () => {
    const before = await physical("Front");
    expect(before.locked).toBe(true);
    const id = `req-${Date.now()}`;
    const [a, b] = await Promise.all([cloud.request("/locks/unlock_door", { device_id: dev.Front }, id), cloud.request("/locks/unlock_door", { device_id: dev.Front }, id)]);
    await sleep(1500);
    const c = await cloud.request("/locks/unlock_door", { device_id: dev.Front }, id);
    const attemptId = (a.body.action_attempt as { action_attempt_id: string }).action_attempt_id;
    expect((b.body.action_attempt as { action_attempt_id: string }).action_attempt_id).toBe(attemptId);
    expect(c.body).toEqual(a.body);
    const after = await physical("Front");
    expect(after).toMatchObject({ locked: false, bolt_moves: before.bolt_moves + 1 });
    await waitEvent("lock.unlocked", (e) => e.action_attempt_id === attemptId);
    expect(cloud.events.filter((e) => e.event_type === "lock.unlocked" && e.action_attempt_id === attemptId)).toHaveLength(1);
    await hub.http.locks.lockDoor({ device_id: dev.Front! }, { waitForActionAttempt: { timeout: 10_000, pollingInterval: 100 } });
  });

  it("keypad lockout after five wrong codes: lock.access_denied each, then device.tampered", async () => {
    for (let i = 0; i < 5; i++) await hub.http.locks.simulate.keypadCodeEntry({ device_id: dev.Garage!, code: pins.use("1357") });
    await waitEvent("device.tampered", (e) => e.device_id === dev.Garage);
    await waitFor(() => eventsOf("Garage", "lock.access_denied").length === 5, "five access_denied");
  });

  it("battery: a low level gives device.battery_status_changed and device.low_battery once", async () => {
    await call("/hub/simulate/battery", { device_id: dev.Back, level: 50 });
    await call("/hub/simulate/battery", { device_id: dev.Back, level: 15 });
    const low = await waitEvent("device.low_battery", (e) => e.device_id === dev.Back);
    expect(low.battery_level).toBe(0.15);
    await waitFor(() => eventsOf("Back", "device.battery_status_changed").length === 2, "two status changes");
    expect(eventsOf("Back", "device.battery_status_changed").map((e) => e.battery_status)).toEqual(["good", "low"]);
    await sleep(500);
    expect(eventsOf("Back", "device.low_battery")).toHaveLength(1);
    expect((await device("Back")).properties.battery).toEqual({ level: 0.15, status: "low" });
  });

  it("/metrics counts lock and unlock attempts by result; every device is Seam-valid", async () => {
    const r = await fetch(`http://127.0.0.1:${hub.port}/metrics`, { headers: { authorization: `Bearer ${hub.apiKey}` } });
    const text = await r.text();
    const value = (labels: string) => Number(new RegExp(`^lockbridge_lock_operations_total\\{${labels}\\} (\\d+)$`, "m").exec(text)?.[1] ?? "0");
    expect(value('action="unlock",result="success"')).toBeGreaterThanOrEqual(5);
    expect(value('action="lock",result="success"')).toBeGreaterThanOrEqual(3);
    expect(value('action="unlock",result="error"')).toBe(2);
    for (const name of Object.keys(dev)) expectSeam("device", await device(name));
  });
});
