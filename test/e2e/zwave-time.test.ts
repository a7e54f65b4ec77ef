// Issue 4 through the hub process on the real zwave-js mock: native schedules, just-in-time windows,
// keypad unlocks and one-time codes, in short real-time windows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud } from "../support/test-cloud.js";

const pins = new PinLedger();
let cloud: TestCloud;
let hub: HubProcess;
let front: string;
let garage: string;

beforeAll(async () => {
  cloud = await new TestCloud().listen();
  hub = new HubProcess({
    cloud: { url: cloud.url, token: cloud.token },
    timing: { program_ahead_ms: 1000 },
    locks: [
      { protocol: "zwave", name: "Front door", slots: 10, code_lengths: [4, 5, 6], checksum: true, native_scheduling: true },
      { protocol: "zwave", name: "Garage", slots: 5, code_lengths: [4, 5, 6], checksum: false },
    ],
  });
  await hub.start();
  const d = await hub.devices();
  front = d.get("Front door")!.device_id;
  garage = d.get("Garage")!.device_id;
  await waitFor(() => cloud.connected, "cloud");
});
afterAll(async () => {
  await hub?.cleanup();
  await cloud?.close();
});

const get = async (id: string) => (await hub.post("/access_codes/get", { access_code_id: id })).body.access_code as Record<string, any>;
const on = async (device: string, code: string) => (await hub.slots(device)).some((s) => s.code === code);
const iso = (ms: number) => new Date(ms).toISOString();

describe("time on the Z-Wave mock through the hub", () => {
  it("native schedule: programmed ahead with its window, unset + scheduled_on_device, refused at the keypad before starts_at", async () => {
    const start = Date.now() + 3 * 3600_000;
    const r = await hub.post("/access_codes/create", { device_id: front, name: "Weekend", code: pins.use("5792"), starts_at: iso(start), ends_at: iso(start + 2 * 86_400_000) });
    expect(r.status).toBe(200);
    const id = r.body.access_code.access_code_id as string;
    await cloud.waitEvent("access_code.scheduled_on_device", (e) => e.access_code_id === id);
    const c = await get(id);
    expect(c).toMatchObject({ status: "unset", is_scheduled_on_device: true, type: "time_bound" });
    expectSeam("access_code", c);
    expect(await on(front, "5792")).toBe(true);
    const unlock = await hub.post("/hub/simulate/keypad_unlock", { device_id: front, code: "5792" });
    expect(unlock.body.unlocked).toBe(false);
    expect(cloud.events.some((e) => e.event_type === "lock.unlocked" && e.access_code_id === id)).toBe(false);
  });

  it("just in time on a lock without a scheduler: on the lock only inside its window, then removed and deleted", async () => {
    const start = Date.now() + 3000;
    const r = await hub.post("/access_codes/create", { device_id: garage, name: "Visit", code: pins.use("3692"), starts_at: iso(start), ends_at: iso(start + 4000) });
    const id = r.body.access_code.access_code_id as string;
    expect(r.body.access_code.status).toBe("unset");
    expect(r.body.access_code.pending_mutations[0]).toMatchObject({ mutation_code: "deferring_creation" });
    expect(await on(garage, "3692")).toBe(false);
    await waitFor(() => on(garage, "3692"), "on the lock", 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(start - 1000 - 200);
    await waitFor(async () => (await get(id)).status === "set", "set");
    await cloud.waitEvent("access_code.deleted", (e) => e.access_code_id === id, 15_000);
    expect(Date.now()).toBeGreaterThanOrEqual(start + 4000);
    expect(await on(garage, "3692")).toBe(false);
    const types = cloud.events.filter((e) => e.access_code_id === id).map((e) => e.event_type);
    expect(types).toEqual(["access_code.created", "access_code.set_on_device", "access_code.removed_from_device", "access_code.deleted"]);
  });

  it("keypad unlock: lock.unlocked with method keycode and the access_code_id; a one-time code is then removed and deleted", async () => {
    const ongoing = (await hub.post("/access_codes/create", { device_id: garage, name: "Owner", code: pins.use("1470") })).body.access_code.access_code_id as string;
    const once = (await hub.post("/access_codes/create", { device_id: garage, name: "Courier", code: pins.use("2581"), is_one_time_use: true })).body.access_code.access_code_id as string;
    await waitFor(async () => (await get(ongoing)).status === "set" && (await get(once)).status === "set", "both set");
    expect((await hub.post("/hub/simulate/keypad_unlock", { device_id: garage, code: "1470" })).body.unlocked).toBe(true);
    const e = await cloud.waitEvent("lock.unlocked", (x) => x.access_code_id === ongoing);
    expect(e).toMatchObject({ method: "keycode", device_id: garage });
    expectSeam("seam_event", e);
    expect((await hub.post("/hub/simulate/keypad_unlock", { device_id: garage, code: "2581" })).body.unlocked).toBe(true);
    await cloud.waitEvent("access_code.deleted", (x) => x.access_code_id === once);
    expect(await on(garage, "2581")).toBe(false);
    expect((await hub.post("/hub/simulate/keypad_unlock", { device_id: garage, code: "2581" })).body.unlocked).toBe(false);
    expect(await on(garage, "1470")).toBe(true);
    expect((await hub.post("/hub/simulate/keypad_unlock", { device_id: garage, code: "9999" })).body.unlocked).toBe(false);
  });

  it("every event is Seam-valid and no PIN reached the logs", () => {
    for (const e of cloud.events) expectSeam("seam_event", e);
    expect(pins.leaked(hub.logs)).toEqual([]);
    // Network keys (protocol.md §7): in no log line, and (over the cloud door) in no frame.
    const keys = hub.networkKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(hub.logs).not.toContain(key);
  });
});
