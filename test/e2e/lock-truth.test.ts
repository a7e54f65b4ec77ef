// Issue 3: keypad and fault scenarios on simulated Z-Wave locks through the real hub process.
// Every case checks the events, the access-code objects and the lock's physical slots.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
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
    timing: { delay_warning_after_ms: 1000, failure_after_ms: 4000 },
    locks: [
      { protocol: "zwave", name: "Keypad", slots: 30, code_lengths: [4, 5, 6], checksum: true },
      { protocol: "zwave", name: "Small", slots: 3, code_lengths: [4, 5, 6], checksum: false },
      { protocol: "zwave", name: "Faulty", slots: 10, code_lengths: [4, 5, 6], checksum: true },
      { protocol: "zwave", name: "Spare", slots: 10, code_lengths: [4, 5, 6], checksum: false },
    ],
  });
  await hub.start();
  for (const [name, d] of await hub.devices()) dev[name] = d.device_id as string;
  await waitFor(() => cloud.connected, "cloud link");
});
afterAll(async () => {
  await hub?.cleanup();
  await cloud?.close();
});

const call = (path: string, body: Record<string, unknown>) => hub.call(path, body);
const getCode = (id: string) => hub.accessCode(id);
const slotOf = (device: string, code: string) => hub.slotOf(device, code);
const eventsFor = (id: string) => cloud.events.filter((e) => e.access_code_id === id);
const errorCodes = (c: Record<string, any>) => (c.errors as Array<{ error_code: string }>).map((e) => e.error_code);
const warningCodes = (c: Record<string, any>) => (c.warnings as Array<{ warning_code: string }>).map((e) => e.warning_code);

async function setCode(device: string, code: string, extra: Record<string, unknown> = {}) {
  const ac = (await call("/access_codes/create", { device_id: device, name: `c${code}`, code: pins.use(code), ...extra })).access_code as Record<string, any>;
  await waitFor(async () => (await getCode(ac.access_code_id)).status === "set", `code ${ac.access_code_id} set`);
  return ac.access_code_id as string;
}
const waitEvent = (type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 15_000) => cloud.waitEvent(type, pred, ms);
const unmanaged = (device: string) => hub.unmanagedCodes(device);

describe("lock truth scenarios (Z-Wave)", () => {
  it("1. keypad adds a code in a free slot -> unmanaged code", async () => {
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Keypad, slot: 20, code: pins.use("2468") });
    const e = await waitEvent("access_code.unmanaged.created", (x) => x.device_id === dev.Keypad);
    const list = await unmanaged(dev.Keypad!);
    const u = list.find((x) => x.access_code_id === e.access_code_id)!;
    expect(u.code).toBe("2468");
    expectSeam("unmanaged_access_code", u);
    expect(await slotOf(dev.Keypad!, "2468")).toBe(20);
  });

  it("2. a managed create with the same code as an unmanaged one is a 400 duplicate_access_code", async () => {
    const r = await hub.post("/access_codes/create", { device_id: dev.Keypad, code: "2468" });
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("duplicate_access_code");
  });

  it("3. keypad clears the unmanaged code -> unmanaged.removed", async () => {
    const id = (await unmanaged(dev.Keypad!)).find((u) => u.code === "2468")!.access_code_id;
    await call("/hub/simulate/keypad_clear_code", { device_id: dev.Keypad, slot: 20 });
    await waitEvent("access_code.unmanaged.removed", (x) => x.access_code_id === id);
    expect((await unmanaged(dev.Keypad!)).some((u) => u.access_code_id === id)).toBe(false);
    expect(await slotOf(dev.Keypad!, "2468")).toBeUndefined();
  });

  it("4. keypad changes a managed code -> modified_external_to_seam, error, restored", async () => {
    const id = await setCode(dev.Keypad!, "4821");
    const slot = (await slotOf(dev.Keypad!, "4821"))!;
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Keypad, slot, code: pins.use("9753") });
    await waitEvent("access_code.modified_external_to_seam", (x) => x.access_code_id === id);
    await waitFor(async () => (await slotOf(dev.Keypad!, "4821")) === slot, "restored on the lock");
    const c = await waitFor(async () => {
      const x = await getCode(id);
      return x.status === "set" && x.errors.length === 0 ? x : null;
    }, "set with the error cleared");
    expect(c.code).toBe("4821");
    expect(eventsFor(id).filter((e) => e.event_type === "access_code.set_on_device")).toHaveLength(2);
    expect(await slotOf(dev.Keypad!, "9753")).toBeUndefined();
  });

  it("5. keypad clears a managed code -> deleted_external_to_seam, restored", async () => {
    const id = await setCode(dev.Keypad!, "5930");
    const slot = (await slotOf(dev.Keypad!, "5930"))!;
    await call("/hub/simulate/keypad_clear_code", { device_id: dev.Keypad, slot });
    await waitEvent("access_code.deleted_external_to_seam", (x) => x.access_code_id === id);
    await waitFor(async () => (await slotOf(dev.Keypad!, "5930")) === slot, "restored");
    await waitFor(async () => (await getCode(id)).errors.length === 0, "error cleared");
  });

  it("6. external change allowed: the new code is adopted with a warning, not restored", async () => {
    const id = await setCode(dev.Keypad!, "6142", { is_external_modification_allowed: true });
    const slot = (await slotOf(dev.Keypad!, "6142"))!;
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Keypad, slot, code: pins.use("6143") });
    await waitEvent("access_code.modified_external_to_seam", (x) => x.access_code_id === id);
    const c = await waitFor(async () => ((await getCode(id)).code === "6143" ? getCode(id) : null), "adopted");
    expect(warningCodes(c)).toContain("code_modified_external_to_seam");
    expect(errorCodes(c)).not.toContain("code_modified_external_to_seam");
    expectSeam("access_code", c);
    expect(await slotOf(dev.Keypad!, "6143")).toBe(slot);
  });

  it("7. external removal allowed: unset with a warning, not restored", async () => {
    const id = await setCode(dev.Keypad!, "7253", { is_external_modification_allowed: true });
    const slot = (await slotOf(dev.Keypad!, "7253"))!;
    await call("/hub/simulate/keypad_clear_code", { device_id: dev.Keypad, slot });
    await waitEvent("access_code.deleted_external_to_seam", (x) => x.access_code_id === id);
    const c = await waitFor(async () => ((await getCode(id)).status === "unset" ? getCode(id) : null), "unset");
    expect(warningCodes(c)).toContain("code_modified_external_to_seam");
    await new Promise((r) => setTimeout(r, 500));
    expect(await slotOf(dev.Keypad!, "7253")).toBeUndefined();
  });

  it("8. convert_to_managed adopts an unmanaged code under the same id", async () => {
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Keypad, slot: 25, code: pins.use("8364") });
    const u = await waitFor(async () => (await unmanaged(dev.Keypad!)).find((x) => x.code === "8364"), "unmanaged code seen");
    await call("/access_codes/unmanaged/convert_to_managed", { access_code_id: u.access_code_id });
    await waitEvent("access_code.unmanaged.converted_to_managed", (x) => x.access_code_id === u.access_code_id);
    const c = await getCode(u.access_code_id);
    expect(c).toMatchObject({ code: "8364", status: "set", is_managed: true });
    expectSeam("access_code", c);
    expect((await unmanaged(dev.Keypad!)).some((x) => x.access_code_id === u.access_code_id)).toBe(false);
    await call("/access_codes/delete", { access_code_id: u.access_code_id });
    await waitFor(async () => (await slotOf(dev.Keypad!, "8364")) === undefined, "a converted code is cleared by delete");
  });

  it("9. unmanaged/delete clears the slot on the lock", async () => {
    await call("/access_codes/simulate/create_unmanaged_access_code", { device_id: dev.Keypad, name: "app code", code: pins.use("9475") });
    const u = await waitFor(async () => (await unmanaged(dev.Keypad!)).find((x) => x.code === "9475"), "unmanaged code seen");
    await call("/access_codes/unmanaged/delete", { access_code_id: u.access_code_id });
    await waitEvent("access_code.unmanaged.removed", (x) => x.access_code_id === u.access_code_id);
    expect(await slotOf(dev.Keypad!, "9475")).toBeUndefined();
  });

  it("10. keypad enters a duplicate: the lock refuses, nothing is recorded", async () => {
    await setCode(dev.Keypad!, "3141");
    const before = cloud.events.length;
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Keypad, slot: 28, code: "3141" });
    await new Promise((r) => setTimeout(r, 700));
    expect((await hub.slots(dev.Keypad!)).filter((s) => s.code === "3141")).toHaveLength(1);
    expect(cloud.events.slice(before).filter((e) => e.event_type.startsWith("access_code.unmanaged"))).toEqual([]);
  });

  it("11. full lock: no_space error on the waiting code, programmed when a slot frees", async () => {
    for (const [i, code] of ["1470", "2581", "3692"].entries()) await call("/hub/simulate/keypad_set_code", { device_id: dev.Small, slot: i + 1, code: pins.use(code) });
    // Generous: on a loaded machine a slot read can go unanswered, and the hub's bounded re-reads (3) take time.
    await waitFor(async () => (await unmanaged(dev.Small!)).length === 3, "3 unmanaged codes", 45_000);
    const ac = (await call("/access_codes/create", { device_id: dev.Small, name: "waiting", code: pins.use("8024") })).access_code as Record<string, any>;
    await waitFor(async () => errorCodes(await getCode(ac.access_code_id)).includes("no_space_for_access_code_on_device"), "no_space");
    expectSeam("access_code", await getCode(ac.access_code_id));
    await call("/hub/simulate/keypad_clear_code", { device_id: dev.Small, slot: 2 });
    await waitFor(async () => (await getCode(ac.access_code_id)).status === "set", "set once a slot freed");
    expect(await slotOf(dev.Small!, "8024")).toBe(2);
    expect(errorCodes(await getCode(ac.access_code_id))).toEqual([]);
  }, 120_000);

  it("12. a lock that refuses codes: failed_to_set_on_device at once, no retry loop", async () => {
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, rejects_codes: true });
    const ac = (await call("/access_codes/create", { device_id: dev.Faulty, name: "refused", code: pins.use("4680") })).access_code as Record<string, any>;
    const failed = await waitEvent("access_code.failed_to_set_on_device", (x) => x.access_code_id === ac.access_code_id);
    expectSeam("seam_event", failed);
    expect(errorCodes(await getCode(ac.access_code_id))).toContain("failed_to_set_on_device");
    expect(await slotOf(dev.Faulty!, "4680")).toBeUndefined();
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, rejects_codes: false });
    // Updating the code is a fresh attempt.
    await call("/access_codes/update", { access_code_id: ac.access_code_id, code: pins.use("4681") });
    await waitFor(async () => (await getCode(ac.access_code_id)).status === "set", "set after update");
    expect(errorCodes(await getCode(ac.access_code_id))).toEqual([]);
  });

  it("13. masked read-back: the write is proven by status and the code is set", async () => {
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, masked_readback: true });
    const id = await setCode(dev.Faulty!, "5791");
    expect(await slotOf(dev.Faulty!, "5791")).toBeDefined();
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, masked_readback: false });
    expect((await getCode(id)).status).toBe("set");
  });

  it("14. an unresponsive lock: delay warning, then failed_to_set_on_device; bounded", async () => {
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, unresponsive: true });
    const ac = (await call("/access_codes/create", { device_id: dev.Faulty, name: "silent", code: pins.use("6802") })).access_code as Record<string, any>;
    await waitEvent("access_code.delay_in_setting_on_device", (x) => x.access_code_id === ac.access_code_id, 20_000);
    await waitEvent("access_code.failed_to_set_on_device", (x) => x.access_code_id === ac.access_code_id, 30_000);
    await call("/hub/simulate/lock_faults", { device_id: dev.Faulty, unresponsive: false });
    expect(await slotOf(dev.Faulty!, "6802")).toBeUndefined();
  });

  it("15. disconnect: device_offline on device and codes; connect: work resumes", async () => {
    const id = await setCode(dev.Spare!, "1357");
    await call("/devices/simulate/disconnect", { device_id: dev.Spare });
    await waitFor(async () => (await call("/devices/get", { device_id: dev.Spare })).device.properties.online === false, "offline");
    await waitEvent("device.disconnected", (x) => x.device_id === dev.Spare);
    expect(errorCodes(await getCode(id))).toContain("device_offline");
    const pending = (await call("/access_codes/create", { device_id: dev.Spare, name: "while offline", code: pins.use("2469") })).access_code as Record<string, any>;
    expect(pending.status).toBe("setting");
    expectSeam("access_code", await getCode(pending.access_code_id));
    await call("/devices/simulate/connect", { device_id: dev.Spare });
    await waitFor(async () => (await getCode(pending.access_code_id)).status === "set", "set after reconnect", 30_000);
    expect(errorCodes(await getCode(id))).not.toContain("device_offline");
    expect(await slotOf(dev.Spare!, "2469")).toBeDefined();
  });

  it("16. delete of a code changed at the keypad clears its slot anyway", async () => {
    const id = await setCode(dev.Spare!, "3580");
    const slot = (await slotOf(dev.Spare!, "3580"))!;
    await call("/access_codes/delete", { access_code_id: id });
    await waitEvent("access_code.deleted", (x) => x.access_code_id === id);
    expect((await hub.slots(dev.Spare!)).find((s) => s.slot === slot)?.code).toBeNull();
  });

  it("17. unmanaged code name can be updated", async () => {
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Spare, slot: 9, code: pins.use("7913") });
    const u = await waitFor(async () => (await unmanaged(dev.Spare!)).find((x) => x.code === "7913"), "unmanaged");
    await call("/access_codes/unmanaged/update", { access_code_id: u.access_code_id, is_managed: false, name: "Dog walker" });
    const got = (await call("/access_codes/unmanaged/get", { access_code_id: u.access_code_id })).access_code;
    expect(got.name).toBe("Dog walker");
  });

  it("18. a simulation path on an unknown device is a 404; bad slot a 400", async () => {
    const r = await hub.post("/hub/simulate/keypad_set_code", { device_id: "00000000-0000-4000-8000-000000000000", slot: 1, code: "1234" });
    expect(r.status).toBe(404);
    const bad = await hub.post("/hub/simulate/keypad_set_code", { device_id: dev.Small, slot: 99, code: "1234" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/slot/);
  });

  it("19. remove: device_removed on the device, device.removed event", async () => {
    await call("/devices/simulate/remove", { device_id: dev.Spare });
    await waitEvent("device.removed", (x) => x.device_id === dev.Spare);
    const d = (await call("/devices/get", { device_id: dev.Spare })).device;
    expect((d.errors as Array<{ error_code: string }>).map((e) => e.error_code)).toContain("device_removed");
  });

  it("20. every event and object seen is Seam-valid", async () => {
    for (const e of cloud.events) expectSeam("seam_event", e);
    for (const name of ["Keypad", "Small", "Faulty"]) {
      for (const c of (await call("/access_codes/list", { device_id: dev[name] })).access_codes as unknown[]) expectSeam("access_code", c);
      for (const u of await unmanaged(dev[name]!)) expectSeam("unmanaged_access_code", u);
    }
  });

  it("21. PINs never appear in the hub's logs", () => {
    expect(pins.leaked(hub.logs)).toEqual([]);
    // Network keys (protocol.md §7): in no log line, and (over the cloud door) in no frame.
    const keys = hub.networkKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(hub.logs).not.toContain(key);
  });
});
