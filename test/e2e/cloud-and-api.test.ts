// The real hub process, started as `npm run agent` does, driven by the official Seam SDK over the local API
// and by a test cloud over the WebSocket door, on the real zwave-js driver and its mock controller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { sleep, waitFor } from "../support/ports.js";
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
    locks: [
      { protocol: "zwave", name: "Front door", slots: 30, code_lengths: [4, 5, 6, 7, 8], checksum: true, native_scheduling: true },
      { protocol: "zwave", name: "Garage", slots: 5, code_lengths: [4, 5, 6], checksum: false },
    ],
  });
  await hub.start();
  const devices = await hub.devices();
  front = devices.get("Front door")!.device_id;
  garage = devices.get("Garage")!.device_id;
  await waitFor(() => cloud.connected, "cloud link");
});

afterAll(async () => {
  await hub?.cleanup();
  await cloud?.close();
});

describe("hub process end to end (zwave-js mock)", () => {
  it("hello first, then a full state with Seam-valid objects; no secret in them", async () => {
    const hello = await cloud.waitFrame((f) => f.type === "hello", "hello");
    expect(cloud.frames[0]?.type).toBe("hello");
    expect(hello).toMatchObject({ hub_id: hub.hubId, workspace_id: hub.workspaceId, protocol_version: 1 });
    const state = await cloud.waitFrame((f) => f.type === "state" && Array.isArray(f.access_codes), "full state");
    const text = JSON.stringify([hello, state]);
    expect(text).not.toContain(hub.apiKey);
    expect(text).not.toContain(cloud.token);
  });

  it("SDK: create -> setting -> set, the lock holds the code, events Seam-valid", async () => {
    const ac = await hub.http.accessCodes.create({ device_id: front, name: "Guest", code: pins.use("482913") });
    expectSeam("access_code", ac);
    expect(ac.status).toBe("setting");
    await cloud.waitEvent("access_code.set_on_device", (e) => e.access_code_id === ac.access_code_id);
    const got = await hub.http.accessCodes.get({ access_code_id: ac.access_code_id });
    expect(got.status).toBe("set");
    expectSeam("access_code", got);
    expect((await hub.slots(front)).filter((s) => s.code === "482913")).toHaveLength(1);
    for (const e of cloud.events) expectSeam("seam_event", e);
  });

  it("SDK: update rewrites and confirms; delete removes from the lock, then 404", async () => {
    const ac = await hub.http.accessCodes.create({ device_id: garage, name: "Cleaner", code: pins.use("7305") });
    await cloud.waitEvent("access_code.set_on_device", (e) => e.access_code_id === ac.access_code_id);
    await hub.http.accessCodes.update({ access_code_id: ac.access_code_id, code: pins.use("8416") });
    await waitFor(async () => (await hub.slots(garage)).some((s) => s.code === "8416"), "new code on the lock");
    await waitFor(async () => (await hub.http.accessCodes.get({ access_code_id: ac.access_code_id })).status === "set", "set again");
    expect((await hub.slots(garage)).some((s) => s.code === "7305")).toBe(false);
    await hub.http.accessCodes.delete({ access_code_id: ac.access_code_id });
    await cloud.waitEvent("access_code.removed_from_device", (e) => e.access_code_id === ac.access_code_id);
    await cloud.waitEvent("access_code.deleted", (e) => e.access_code_id === ac.access_code_id);
    await expect(hub.http.accessCodes.get({ access_code_id: ac.access_code_id })).rejects.toMatchObject({ statusCode: 404, code: "access_code_not_found" });
    expect((await hub.slots(garage)).every((s) => s.code === null)).toBe(true);
    const types = cloud.events.filter((e) => e.access_code_id === ac.access_code_id).map((e) => e.event_type);
    expect(types).toEqual(["access_code.created", "access_code.set_on_device", "access_code.changed", "access_code.set_on_device", "access_code.removed_from_device", "access_code.deleted"]);
  });

  it("generate_code fits the lock, avoids codes on it and trivial ones", async () => {
    for (let i = 0; i < 20; i++) {
      const r = await hub.post("/access_codes/generate_code", { device_id: garage });
      const code = r.body.generated_code.code as string;
      expect(code).toMatch(/^\d{4,6}$/);
      expect(new Set(code).size).toBeGreaterThan(1);
    }
    const created = await hub.http.accessCodes.create({ device_id: garage, name: "auto" });
    expect(created.code).toMatch(/^\d{4,6}$/);
    pins.use(created.code!);
  });

  it("bad input over both doors: clear 4xx naming the field, nothing changes", async () => {
    const before = (await hub.http.accessCodes.list({ device_id: garage })).length;
    const short = await hub.post("/access_codes/create", { device_id: garage, code: "12" });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/code must be 4 to 6 characters/);
    const wrongType = await cloud.request("/access_codes/create", { device_id: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error?.message).toMatch(/device_id/);
    const n = cloud.frames.length;
    cloud.sendRaw("{not json");
    const err = await cloud.waitFrame((f) => f.type === "error", "error frame", 5000, n);
    expect((err.error as { type: string }).type).toBe("invalid_input");
    cloud.sendRaw(JSON.stringify({ type: "bogus" }));
    await cloud.waitFrame((f) => f.type === "error" && JSON.stringify(f).includes("bogus"), "unknown type error", 5000, n);
    cloud.sendRaw(JSON.stringify({ type: "request", id: "big", path: "/access_codes/list", body: { pad: "x".repeat(1_100_000) } }));
    await cloud.waitFrame((f) => f.type === "error" && JSON.stringify(f).includes("larger"), "oversized frame error", 5000, n);
    const unknown = await hub.post("/no/such/path", {});
    expect(unknown.status).toBe(404);
    const huge = await hub.post("/access_codes/create", JSON.stringify({ device_id: garage, name: "x".repeat(2_000_000) }));
    expect(huge.status).toBe(413);
    const unauth = await hub.post("/access_codes/list", { device_id: garage }, "wrong");
    expect(unauth.status).toBe(401);
    expect((await hub.http.accessCodes.list({ device_id: garage })).length).toBe(before);
    expect(cloud.connected).toBe(true);
  });

  it("a repeated request id returns the recorded response and runs once", async () => {
    const body = { device_id: front, name: "Once", code: pins.use("55119") };
    const [a, b] = await Promise.all([cloud.request("/access_codes/create", body, "same-id-1"), cloud.request("/access_codes/create", body, "same-id-1")]);
    const c = await cloud.request("/access_codes/create", body, "same-id-1");
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    const list = await hub.http.accessCodes.list({ device_id: front });
    expect(list.filter((x) => x.name === "Once")).toHaveLength(1);
  });

  it("events stay in the outbox until acked and are replayed in order after a reconnect", async () => {
    cloud.autoAck = false;
    const ac = await hub.http.accessCodes.create({ device_id: front, name: "Outbox", code: pins.use("60317") });
    await cloud.waitEvent("access_code.set_on_device", (e) => e.access_code_id === ac.access_code_id);
    const unacked = cloud.events.filter((e) => e.access_code_id === ac.access_code_id).map((e) => e.event_id);
    const status = await hub.post("/hub/status", {});
    expect(status.body.hub.pending_events).toBeGreaterThanOrEqual(unacked.length);
    // Drop the link: the hub reconnects and sends the unacked events again, in the same order.
    const conns = cloud.connections;
    await cloud.close();
    await sleep(200);
    await cloud.listen(cloud.port);
    await waitFor(() => cloud.connections > conns, "reconnect", 40_000);
    await waitFor(() => unacked.every((id) => (cloud.deliveries.get(id) ?? 0) >= 2), "replayed events");
    const replayOrder = cloud.events.slice(-50).filter((e) => unacked.includes(e.event_id)).map((e) => e.event_id);
    expect(replayOrder.slice(-unacked.length)).toEqual(unacked);
    cloud.autoAck = true;
    cloud.sendRaw(JSON.stringify({ type: "ack", event_ids: [...new Set(cloud.events.map((e) => e.event_id))] }));
    await waitFor(async () => (await hub.post("/hub/status", {})).body.hub.pending_events === 0, "outbox drained");
  });

  it("PINs, the API key and the cloud token never appear in the hub's logs", () => {
    expect(hub.logs.length).toBeGreaterThan(0);
    expect(pins.leaked(hub.logs)).toEqual([]);
    expect(hub.logs).not.toContain(hub.apiKey);
    expect(hub.logs).not.toContain(cloud.token);
    // Network keys (protocol.md §7): in no log line, and (over the cloud door) in no frame.
    const keys = hub.networkKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(hub.logs).not.toContain(key);
    for (const key of keys) expect(JSON.stringify(cloud.frames)).not.toContain(key);
  });
});
