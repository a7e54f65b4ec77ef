// The lock-truth cases (lock-truth.test.ts) that concern what real lock models differ in, on one lock of
// every profile of both radios (drivers/sim/profiles, protocol.md §9), through the hub process as
// `npm run agent` starts it: the device as Seam sees it (type by brand, maker and model as the radio
// reports them, slots, code lengths), a managed code set and deleted, a keypad code in a free slot
// becoming an unmanaged code and going away again, a managed code cleared or changed at the keypad restored,
// a keypad duplicate refused.
import { ConfigManager } from "@zwave-js/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_PROFILES, type LockModelProfile } from "../../drivers/sim/profiles/index.js";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";
import { TestCloud, type SeamEvent } from "../support/test-cloud.js";

const BRAND_TYPE: Record<string, string> = { Schlage: "schlage_lock", Kwikset: "kwikset_lock", Yale: "yale_lock", Ultraloq: "ultraloq_lock" };

const pins = new PinLedger();
let cloud: TestCloud;
let hub: HubProcess;
const dev: Record<string, string> = {};
/** Manufacturer and model as the radio reports them: zwave-js's device file, or the Zigbee lock's genBasic. */
const reported = new Map<string, { manufacturer: string; model: string }>();

beforeAll(async () => {
  const configs = new ConfigManager();
  await configs.loadAll();
  for (const p of LOCK_PROFILES) {
    if (p.protocol === "zigbee") reported.set(p.profile, { manufacturer: p.zigbee.manufacturerName, model: p.zigbee.modelId });
    else {
      const device = await configs.lookupDevice(p.zwave.manufacturerId, p.zwave.productType, p.zwave.productId);
      reported.set(p.profile, { manufacturer: device?.manufacturer ?? "?", model: device?.label ?? "?" });
    }
  }
  cloud = await new TestCloud().listen();
  hub = new HubProcess({
    cloud: { url: cloud.url, token: cloud.token },
    timing: { delay_warning_after_ms: 5000, failure_after_ms: 20_000 },
    locks: LOCK_PROFILES.map((p) => ({ protocol: p.protocol, name: p.profile, profile: p.profile })),
  });
  await hub.start();
  for (const [name, d] of await hub.devices()) dev[name] = d.device_id as string;
  await waitFor(() => cloud.connected, "cloud link");
}, 180_000);

afterAll(async () => {
  await hub?.cleanup();
  await cloud?.close();
});

const waitEvent = (type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 20_000) => cloud.waitEvent(type, pred, ms);

async function setCode(device: string, code: string): Promise<string> {
  const ac = (await hub.call("/access_codes/create", { device_id: device, name: `c${code}`, code: pins.use(code) })).access_code as Record<string, any>;
  await waitFor(async () => (await hub.accessCode(ac.access_code_id)).status === "set", `code ${ac.access_code_id} set`, 30_000);
  return ac.access_code_id as string;
}

/** A PIN per profile and case, unique across the hub (every lock's keypad refuses a PIN another slot holds only on that lock). */
const pinFor = (index: number, n: number) => String(4000 + index * 10 + n);

const cases = LOCK_PROFILES.map((p, i) => [p.profile, p, i] as const);

describe("lock truth per lock model (both radios)", () => {
  it.each(cases)("%s: the device shows the model, its slots and code lengths, typed by brand", async (name, profile: LockModelProfile) => {
    const device = (await hub.call("/devices/get", { device_id: dev[name] })).device as Record<string, any>;
    expectSeam("device", device);
    expect(device.device_type).toBe(BRAND_TYPE[profile.manufacturer] ?? "smartthings_lock");
    const radio = reported.get(name)!;
    expect(device.properties).toMatchObject({
      manufacturer: radio.manufacturer,
      model: { display_name: radio.model, manufacturer_display_name: radio.manufacturer },
      max_active_codes_supported: profile.defaults.slots,
      supported_code_lengths: profile.defaults.code_lengths,
    });
  });

  it.each(cases)("%s: a managed code is set on the lock and cleared by delete", async (name, _profile, i) => {
    const pin = pinFor(i, 1);
    const id = await setCode(dev[name]!, pin);
    expect(await hub.slotOf(dev[name]!, pin)).toBeDefined();
    expectSeam("access_code", await hub.accessCode(id));
    await hub.call("/access_codes/delete", { access_code_id: id });
    await waitEvent("access_code.deleted", (x) => x.access_code_id === id);
    await waitFor(async () => (await hub.slotOf(dev[name]!, pin)) === undefined, "cleared on the lock");
  });

  it.each(cases)("%s: a keypad code in a free slot becomes an unmanaged code; cleared at the keypad it goes", async (name, profile, i) => {
    const pin = pinFor(i, 2);
    const slot = Math.min(5, profile.defaults.slots);
    await hub.call("/hub/simulate/keypad_set_code", { device_id: dev[name], slot, code: pins.use(pin) });
    const created = await waitEvent("access_code.unmanaged.created", (x) => x.device_id === dev[name]);
    const u = (await hub.unmanagedCodes(dev[name]!)).find((x) => x.access_code_id === created.access_code_id)!;
    expectSeam("unmanaged_access_code", u);
    // A lock that hides digits shows the hub that the slot is taken, never what it holds.
    if (profile.defaults.masked_readback) expect(u.code).toBeNull();
    else expect(u.code).toBe(pin);
    await hub.call("/hub/simulate/keypad_clear_code", { device_id: dev[name], slot });
    await waitEvent("access_code.unmanaged.removed", (x) => x.access_code_id === created.access_code_id);
    expect((await hub.unmanagedCodes(dev[name]!)).some((x) => x.access_code_id === created.access_code_id)).toBe(false);
  });

  it.each(cases)("%s: a managed code cleared at the keypad is deleted_external_to_seam and restored", async (name, _profile, i) => {
    const pin = pinFor(i, 3);
    const id = await setCode(dev[name]!, pin);
    const slot = (await hub.slotOf(dev[name]!, pin))!;
    await hub.call("/hub/simulate/keypad_clear_code", { device_id: dev[name], slot });
    await waitEvent("access_code.deleted_external_to_seam", (x) => x.access_code_id === id);
    await waitFor(async () => (await hub.slotOf(dev[name]!, pin)) === slot, "restored on the lock", 30_000);
    await waitFor(async () => (await hub.accessCode(id)).errors.length === 0, "error cleared", 30_000);
  });

  it.each(cases)("%s: a managed code changed at the keypad is modified_external_to_seam and restored", async (name, _profile, i) => {
    const pin = pinFor(i, 4);
    const id = await setCode(dev[name]!, pin);
    const slot = (await hub.slotOf(dev[name]!, pin))!;
    await hub.call("/hub/simulate/keypad_set_code", { device_id: dev[name], slot, code: pins.use(pinFor(i, 5)) });
    await waitEvent("access_code.modified_external_to_seam", (x) => x.access_code_id === id);
    await waitFor(async () => (await hub.slotOf(dev[name]!, pin)) === slot, "restored on the lock", 30_000);
    await waitFor(async () => {
      const c = await hub.accessCode(id);
      return c.status === "set" && c.errors.length === 0;
    }, "set with the error cleared", 30_000);
    expect(await hub.slotOf(dev[name]!, pinFor(i, 5))).toBeUndefined();
  });

  it.each(cases)("%s: a keypad duplicate of a managed code is refused by the lock; nothing is recorded", async (name, profile, i) => {
    const pin = pinFor(i, 6);
    await setCode(dev[name]!, pin);
    const before = cloud.events.length;
    const free = Math.min(7, profile.defaults.slots);
    await hub.call("/hub/simulate/keypad_set_code", { device_id: dev[name], slot: free, code: pin });
    await new Promise((r) => setTimeout(r, 700));
    expect(await hub.slotOf(dev[name]!, pin)).not.toBe(free);
    expect(cloud.events.slice(before).filter((e) => e.device_id === dev[name] && e.event_type.startsWith("access_code.unmanaged"))).toEqual([]);
  });

  it("every event seen is Seam-valid, and no PIN reached the hub's logs", () => {
    for (const e of cloud.events) expectSeam("seam_event", e);
    expect(pins.leaked(hub.logs)).toEqual([]);
  });
});
