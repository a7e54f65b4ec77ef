// Issue 13: Z-Wave pairing through the hub process (`npm run agent`), over the local API with a test
// cloud on the WebSocket door: factory-new simulated locks go through real inclusion and S2 bootstrapping
// on zwave-js's mock controller. Every secret a label printed is looked for in logs, events and frames.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PairingClient, type Label } from "../support/pairing-client.js";
import { sleep, waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud } from "../support/test-cloud.js";

let cloud: TestCloud;
let hub: HubProcess;
let pair: PairingClient;
const measured: Record<string, number> = {};

beforeAll(async () => {
  cloud = await new TestCloud().listen();
  hub = new HubProcess({ cloud: { url: cloud.url, token: cloud.token }, locks: [{ protocol: "zwave", name: "Front", slots: 6 }] });
  await hub.start();
  await hub.devices();
  await waitFor(() => cloud.connected, "cloud link");
  pair = new PairingClient(hub);
});

afterAll(async () => {
  const keys = hub?.networkKeys() ?? [];
  const logs = hub?.logs ?? "";
  const frames = JSON.stringify(cloud?.frames ?? []);
  await hub?.cleanup();
  await cloud?.close();
  console.info(`z-wave pairing e2e (ms): ${JSON.stringify(measured)}`);
  expect(keys.length).toBeGreaterThan(0);
  expect(pair?.leaks(logs) ?? [], "a DSK, PIN or QR code reached a log line").toEqual([]);
  expect(pair?.leaks(frames) ?? [], "a DSK, PIN or QR code reached a cloud frame").toEqual([]);
  for (const key of keys) {
    expect(logs, "a network key reached a log line").not.toContain(key);
    expect(frames, "a network key reached a cloud frame").not.toContain(key);
  }
});

const devices = async () => ((await pair.call("/devices/list", {})).devices as Array<Record<string, any>>).map((d) => d.device_id as string);

async function createCode(deviceId: string, code: string): Promise<string> {
  const created = await pair.call("/access_codes/create", { device_id: deviceId, name: `Code ${code}`, code });
  const id = created.access_code.access_code_id as string;
  await waitFor(async () => (await pair.call("/access_codes/get", { access_code_id: id })).access_code.status === "set", `code ${id} set`);
  return id;
}

describe("Z-Wave pairing through the hub", () => {
  let garage: string;

  it("pairs a factory-new S2 lock with the PIN; device.added after the interview; a code works on it", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Garage", slots: 5 });
    expect(label.dsk).toMatch(/^(\d{5}-){7}\d{5}$/);
    const started = await pair.start({ protocol: "zwave" });
    expect(started).toMatchObject({ protocol: "zwave", kind: "include", status: "waiting_for_device", device_ids: [] });
    expect(Date.parse(started.expires_at) - Date.parse(started.started_at)).toBe(60_000);
    const t0 = Date.now();
    expect(await pair.press({ sim_id: label.sim_id })).toBe("joined");
    const asking = await pair.until(started.pairing_id, ["pin_needed"]);
    expect(asking.partial_dsk).toBe(label.dsk!.slice(5));
    expect(asking.requested_security_classes).toEqual(["S2_AccessControl"]);
    const bad = await hub.post("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: "12a45" });
    expect(bad.status).toBe(400);
    await pair.call("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: label.pin });
    const done = await pair.until(started.pairing_id, ["succeeded"]);
    expect(done.granted_security_classes).toEqual(["S2_AccessControl"]);
    expect(done.device_ids).toHaveLength(1);
    garage = done.device_ids[0]!;
    const added = await cloud.waitEvent("device.added", (e) => e.device_id === garage);
    expectSeam("seam_event", added);
    await createCode(garage, "2468");
    measured["S2 press_button to first code set (incl. PIN round trip)"] = Date.now() - t0;
    expect((await hub.slots(garage)).find((s) => s.code === "2468")).toBeTruthy();
    // The cloud followed the pairing in state frames, without a secret (checked in afterAll).
    expect(cloud.frames.some((f) => f.type === "state" && Array.isArray(f.pairings) && (f.pairings as Array<Record<string, unknown>>).some((p) => p.pairing_id === started.pairing_id && p.status === "succeeded"))).toBe(true);
  });

  it("pairs with the full DSK up front and refuses a DSK that is not the lock's", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Shed", slots: 4 });
    const started = await pair.start({ protocol: "zwave", dsk: label.dsk });
    const t0 = Date.now();
    await pair.press({ sim_id: label.sim_id });
    const done = await pair.until(started.pairing_id, ["succeeded"]);
    expect(done.partial_dsk).toBeUndefined();
    await createCode(done.device_ids[0]!, "5678");
    measured["S2 with the DSK up front: press_button to first code set"] = Date.now() - t0;
    const other = await pair.newLock({ protocol: "zwave", name: "Other", slots: 4 });
    const stranger = await pair.newLock({ protocol: "zwave", name: "Stranger", slots: 4 });
    const wrong = await pair.start({ protocol: "zwave", dsk: other.dsk });
    await pair.press({ sim_id: stranger.sim_id });
    const failed = await pair.until(wrong.pairing_id, ["failed"]);
    expect(failed.error.type).toBe("wrong_pin");
    const bad = await hub.post("/hub/pairing/start", { protocol: "zwave", dsk: "12345" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: "invalid_input" });
  });

  it("reports a wrong PIN; the lock never becomes a device; the next pairing works", async () => {
    const before = await devices();
    const label = await pair.newLock({ protocol: "zwave", name: "Wrong PIN", slots: 4 });
    const started = await pair.start({ protocol: "zwave" });
    await pair.press({ sim_id: label.sim_id });
    await pair.until(started.pairing_id, ["pin_needed"]);
    await pair.call("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: String((Number(label.pin) + 1) % 100_000).padStart(5, "0") });
    const failed = await pair.until(started.pairing_id, ["failed"]);
    expect(failed.error).toMatchObject({ type: "wrong_pin" });
    expect(failed.error.message).toMatch(/exclude it/);
    await sleep(1_000);
    expect(await devices()).toEqual(before);
    await pair.includeWithPin(await pair.newLock({ protocol: "zwave", name: "After wrong PIN", slots: 4 }));
  });

  it("pairs an S0-only lock with S0 (no PIN)", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Legacy", slots: 4, security: "s0" });
    expect(label.dsk).toBeUndefined();
    const started = await pair.start({ protocol: "zwave" });
    await pair.press({ sim_id: label.sim_id });
    const done = await pair.until(started.pairing_id, ["succeeded"]);
    expect(done.granted_security_classes).toEqual(["S0_Legacy"]);
    await createCode(done.device_ids[0]!, "1357");
  });

  it("pairs through the cloud door too (the same router), with the DSK in the request", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "Via cloud", slots: 4 });
    const started = await cloud.request("/hub/pairing/start", { protocol: "zwave", dsk: label.dsk });
    expect(started.status).toBe(200);
    const id = (started.body.pairing as { pairing_id: string }).pairing_id;
    expect((await cloud.request("/hub/simulate/press_button", { sim_id: label.sim_id })).body.outcome).toBe("joined");
    const done = await waitFor(async () => {
      const got = (await cloud.request("/hub/pairing/get", { pairing_id: id })).body.pairing as { status: string; device_ids: string[] };
      return got.status === "succeeded" ? got : null;
    }, "succeeded over the cloud door");
    expect(done.device_ids).toHaveLength(1);
    const busy = await cloud.request("/hub/unpairing/start", { protocol: "zwave" });
    expect(busy.status).toBe(200);
    const again = await cloud.request("/hub/pairing/start", { protocol: "zwave" });
    expect(again.body.error).toMatchObject({ type: "pairing_in_progress", data: { pairing_id: (busy.body.pairing as { pairing_id: string }).pairing_id } });
    await cloud.request("/hub/pairing/stop", { pairing_id: (busy.body.pairing as { pairing_id: string }).pairing_id });
  });

  it("one pairing at a time; stop closes the window; an unused window expires", async () => {
    const first = await pair.start({ protocol: "zwave" });
    const second = await hub.post("/hub/pairing/start", { protocol: "zwave" });
    expect(second.status).toBe(400);
    expect(second.body.error).toMatchObject({ type: "pairing_in_progress", data: { pairing_id: first.pairing_id } });
    const unpair = await hub.post("/hub/unpairing/start", { protocol: "zwave" });
    expect(unpair.body.error).toMatchObject({ type: "pairing_in_progress" });
    const stopped = (await pair.call("/hub/pairing/stop", { pairing_id: first.pairing_id })).pairing;
    expect(stopped.status).toBe("stopped");
    const short = await pair.start({ protocol: "zwave", timeout_s: 1 });
    expect((await pair.until(short.pairing_id, ["expired"], 5_000)).status).toBe("expired");
    expect((await hub.post("/hub/pairing/get", { pairing_id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
    expect((await hub.post("/hub/pairing/start", { protocol: "zigbee" })).body.error).toMatchObject({ type: "unsupported" });
  });

  it("provisions a SmartStart lock from its QR code; it joins by itself and becomes a device", async () => {
    const label = await pair.newLock({ protocol: "zwave", name: "SmartStart", slots: 4, smart_start: true });
    expect(label.qr_code).toMatch(/^9001/);
    const t0 = Date.now();
    const { provisioning_entry: entry } = await pair.call("/hub/smart_start/add", { qr_code: label.qr_code });
    expect(entry).toMatchObject({ dsk: `*****${label.dsk!.slice(5)}`, status: "active" });
    const joined = await waitFor(async () => ((await pair.call("/hub/smart_start/list", {})).provisioning_entries as Array<Record<string, any>>).find((e) => e.device_id), "SmartStart lock joined");
    await waitFor(async () => (await devices()).includes(joined.device_id), "SmartStart device");
    await createCode(joined.device_id, "8080");
    measured["SmartStart provisioning to first code set"] = Date.now() - t0;
    const removed = await pair.call("/hub/smart_start/remove", { dsk: entry.dsk });
    expect(removed.provisioning_entry.dsk).toBe(entry.dsk);
    expect((await pair.call("/hub/smart_start/list", {})).provisioning_entries).toEqual([]);
    const badQr = await hub.post("/hub/smart_start/add", { qr_code: "900132" });
    expect(badQr.body.error).toMatchObject({ type: "invalid_input" });
  });

  it("excludes a lock: device.removed, its codes deleted, the device gone", async () => {
    const codeId = await createCode(garage, "9753");
    const started = (await pair.call("/hub/unpairing/start", { protocol: "zwave" })).pairing;
    expect(started.kind).toBe("exclude");
    expect(await pair.press({ device_id: garage })).toBe("left");
    const done = await pair.until(started.pairing_id, ["succeeded"]);
    expect(done.device_ids).toEqual([garage]);
    await cloud.waitEvent("device.removed", (e) => e.device_id === garage);
    await cloud.waitEvent("access_code.deleted", (e) => e.access_code_id === codeId);
    expect(await devices()).not.toContain(garage);
    expect((await hub.post("/access_codes/get", { access_code_id: codeId })).status).toBe(404);
    await cloud.waitFrame((f) => f.type === "state" && JSON.stringify(f.deleted ?? {}).includes(garage), "state frame deleting the device");
  });

  it("removes only a failed lock; a live one needs an exclusion", async () => {
    const map = await hub.devices();
    const legacy = map.get("Legacy")!.device_id as string;
    const live = await hub.post("/hub/devices/remove", { device_id: legacy });
    expect(live.status).toBe(400);
    expect(live.body.error.type).toBe("exclusion_required");
    await pair.call("/devices/simulate/disconnect", { device_id: legacy });
    const removed = (await pair.call("/hub/devices/remove", { device_id: legacy })).pairing;
    expect(removed).toMatchObject({ status: "succeeded", device_ids: [legacy] });
    expect(await devices()).not.toContain(legacy);
  });

  it("replaces a failed lock: same device_id, every code programmed onto the new lock", async () => {
    const map = await hub.devices();
    const shed = map.get("Shed")!.device_id as string;
    const codes = [await createCode(shed, "1111"), await createCode(shed, "2222")];
    await pair.call("/devices/simulate/disconnect", { device_id: shed });
    await waitFor(async () => (await pair.call("/devices/get", { device_id: shed })).device.properties.online === false, "shed offline");
    const label: Label = await pair.newLock({ protocol: "zwave", name: "Shed (new)", slots: 4 });
    const started = (await pair.call("/hub/devices/replace", { device_id: shed })).pairing;
    expect(started.kind).toBe("replace");
    expect(await pair.press({ sim_id: label.sim_id })).toBe("replaced");
    await pair.until(started.pairing_id, ["pin_needed"]);
    await pair.call("/hub/pairing/provide_pin", { pairing_id: started.pairing_id, pin: label.pin });
    const done = await pair.until(started.pairing_id, ["succeeded"]);
    expect(done.device_ids).toEqual([shed]);
    await waitFor(async () => {
      const slots = await hub.slots(shed);
      return ["1111", "2222"].every((c) => slots.some((s) => s.code === c));
    }, "both codes on the new lock");
    for (const id of codes) expect((await pair.call("/access_codes/get", { access_code_id: id })).access_code.status).toBe("set");
    expect((await pair.call("/devices/get", { device_id: shed })).device.properties.online).toBe(true);
  });
});
