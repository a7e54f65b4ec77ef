// Issue 5: the Zigbee simulation through the real hub process (`npm run agent`), driven over the local
// API with a test cloud on the WebSocket door. Each case checks the Seam events, the access-code objects
// and what the simulated lock physically holds.
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
const timings: Record<string, number> = {};

beforeAll(async () => {
  cloud = await new TestCloud().listen();
  hub = new HubProcess({
    cloud: { url: cloud.url, token: cloud.token },
    timing: { delay_warning_after_ms: 1000, failure_after_ms: 4000 },
    locks: [
      // "Door": keypad, unlock and one-time scenarios. "Side": masked read-back, duplicates, link loss.
      { protocol: "zigbee", name: "Door", slots: 10, code_lengths: [4, 5, 6] },
      { protocol: "zigbee", name: "Side", slots: 6, code_lengths: [4, 5, 6] },
    ],
  });
  const t0 = Date.now();
  await hub.start();
  for (const [name, d] of await hub.devices()) dev[name] = d.device_id as string;
  timings["hub start until both locks are devices"] = Date.now() - t0;
  await waitFor(() => cloud.connected, "cloud link");
});

/**
 * HubProcess.stop() waits for `npm`, which exits on SIGTERM while the agent (its grandchild, same process
 * group) is still stopping and writing its Zigbee database; removing the data dir then can fail with
 * ENOTEMPTY. Wait until no process of the group is left before cleanup().
 */
async function stopHub(h: HubProcess): Promise<void> {
  const group = h.proc?.pid;
  await h.stop();
  if (group !== undefined) {
    await waitFor(
      () => {
        try {
          process.kill(-group, 0);
          return false;
        } catch {
          return true;
        }
      },
      "every hub process gone",
      5_000,
      20,
    ).catch(() => undefined);
  }
  await h.cleanup();
}

afterAll(async () => {
  if (hub) await stopHub(hub);
  await cloud?.close();
  console.info(`zigbee e2e timings (ms): ${JSON.stringify(timings)}`);
});

const call = (path: string, body: Record<string, unknown>) => hub.call(path, body);
const getCode = (id: string) => hub.accessCode(id);
const slotOf = (device: string, code: string) => hub.slotOf(device, code);
const eventsFor = (id: string) => cloud.events.filter((e) => e.access_code_id === id);
const errorCodes = (c: Record<string, any>) => (c.errors as Array<{ error_code: string }>).map((e) => e.error_code);
const waitEvent = (type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 15_000) => cloud.waitEvent(type, pred, ms);
const unmanaged = (device: string) => hub.unmanagedCodes(device);
const device = async (id: string) => (await call("/devices/get", { device_id: id })).device as Record<string, any>;

async function create(deviceId: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const ac = (await call("/access_codes/create", { device_id: deviceId, name: `c${code}`, code: pins.use(code), ...extra })).access_code as Record<string, any>;
  expectSeam("access_code", ac);
  return ac.access_code_id as string;
}
async function setCode(deviceId: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = await create(deviceId, code, extra);
  await waitFor(async () => (await getCode(id)).status === "set", `code ${id} set`);
  return id;
}

describe("Zigbee lock through the hub process", () => {
  it("create -> set: the lock holds the code; the code and its events are Seam-valid", async () => {
    const t0 = Date.now();
    const id = await setCode(dev.Door!, "4821");
    timings["create until set"] = Date.now() - t0;
    await waitEvent("access_code.set_on_device", (e) => e.access_code_id === id);
    const c = await getCode(id);
    expect(c).toMatchObject({ code: "4821", status: "set", is_managed: true, device_id: dev.Door });
    expect(c.errors).toEqual([]);
    expectSeam("access_code", c);
    for (const e of eventsFor(id)) expectSeam("seam_event", e);
    expect((await hub.slots(dev.Door!)).filter((s) => s.code === "4821")).toHaveLength(1);
  });

  it("keypad edit of a managed code -> modified_external_to_seam, restored on the lock", async () => {
    const id = await setCode(dev.Door!, "5930");
    const slot = (await slotOf(dev.Door!, "5930"))!;
    const t0 = Date.now();
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Door, slot, code: pins.use("9753") });
    const e = await waitEvent("access_code.modified_external_to_seam", (x) => x.access_code_id === id);
    expectSeam("seam_event", e);
    await waitFor(async () => (await slotOf(dev.Door!, "5930")) === slot, "restored on the lock");
    timings["keypad edit until restored"] = Date.now() - t0;
    const c = await waitFor(async () => {
      const x = await getCode(id);
      return x.status === "set" && x.errors.length === 0 ? x : null;
    }, "set again with the error cleared");
    expect(c.code).toBe("5930");
    expectSeam("access_code", c);
    expect(await slotOf(dev.Door!, "9753")).toBeUndefined();
  });

  it("keypad adds a code in a free slot -> access_code.unmanaged.created", async () => {
    const free = (await hub.slots(dev.Door!)).filter((s) => s.code === null).at(-1)!.slot;
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Door, slot: free, code: pins.use("2580") });
    const e = await waitEvent("access_code.unmanaged.created", (x) => x.device_id === dev.Door);
    expectSeam("seam_event", e);
    const u = (await unmanaged(dev.Door!)).find((x) => x.access_code_id === e.access_code_id)!;
    expect(u).toMatchObject({ code: "2580", device_id: dev.Door, is_managed: false });
    expectSeam("unmanaged_access_code", u);
    expect(await slotOf(dev.Door!, "2580")).toBe(free);
  });

  it("keypad unlock -> one lock.unlocked with method keycode and the code's access_code_id", async () => {
    const id = await setCode(dev.Door!, "1470");
    const before = cloud.events.length;
    expect(await call("/hub/simulate/keypad_unlock", { device_id: dev.Door, code: "1470" })).toMatchObject({ unlocked: true });
    const e = await waitEvent("lock.unlocked", (x) => x.access_code_id === id);
    expect(e).toMatchObject({ device_id: dev.Door, method: "keycode", access_code_id: id });
    expectSeam("seam_event", e);
    // A Zigbee lock also reports its lockState after the notification: still one unlock.
    await sleep(500);
    expect(cloud.events.slice(before).filter((x) => x.event_type === "lock.unlocked")).toHaveLength(1);
    // A wrong PIN opens nothing and reports nothing.
    expect(await call("/hub/simulate/keypad_unlock", { device_id: dev.Door, code: "6802" })).toMatchObject({ unlocked: false });
    await sleep(300);
    expect(cloud.events.slice(before).filter((x) => x.event_type === "lock.unlocked")).toHaveLength(1);
  });

  it("a one-time-use code is removed from the lock and deleted after its first unlock", async () => {
    const id = await setCode(dev.Door!, "3692", { is_one_time_use: true });
    expect((await getCode(id)).is_one_time_use).toBe(true);
    const slot = (await slotOf(dev.Door!, "3692"))!;
    const t0 = Date.now();
    expect(await call("/hub/simulate/keypad_unlock", { device_id: dev.Door, code: "3692" })).toMatchObject({ unlocked: true });
    const unlocked = await waitEvent("lock.unlocked", (x) => x.access_code_id === id);
    expect(unlocked).toMatchObject({ method: "keycode" });
    const deleted = await waitEvent("access_code.deleted", (x) => x.access_code_id === id);
    expectSeam("seam_event", deleted);
    timings["one-time unlock until deleted"] = Date.now() - t0;
    expect((await hub.slots(dev.Door!)).find((s) => s.slot === slot)?.code).toBeNull();
    const r = await hub.post("/access_codes/get", { access_code_id: id });
    expect(r.status).toBe(404);
    // Gone from the lock: it opens nothing any more.
    expect(await call("/hub/simulate/keypad_unlock", { device_id: dev.Door, code: "3692" })).toMatchObject({ unlocked: false });
  });

  it("masked read-back (masked_readback fault): the code still reaches set", async () => {
    await call("/hub/simulate/lock_faults", { device_id: dev.Side, masked_readback: true });
    const id = await setCode(dev.Side!, "1357");
    expect(await slotOf(dev.Side!, "1357")).toBeDefined();
    const c = await getCode(id);
    expect(c.errors).toEqual([]);
    expectSeam("access_code", c);
  });

  it("a duplicate the lock refuses -> duplicate_code_on_device on the code, nothing stored", async () => {
    // Still masked: a code typed at the keypad reaches the hub without its digits, so only the lock
    // can tell that a new code is the same PIN.
    const free = (await hub.slots(dev.Side!)).filter((s) => s.code === null).at(-1)!.slot;
    await call("/hub/simulate/keypad_set_code", { device_id: dev.Side, slot: free, code: pins.use("2468") });
    await waitEvent("access_code.unmanaged.created", (x) => x.device_id === dev.Side);
    const id = await create(dev.Side!, "2468");
    try {
      const failed = await waitEvent("access_code.failed_to_set_on_device", (x) => x.access_code_id === id);
      expectSeam("seam_event", failed);
      const c = await waitFor(async () => {
        const x = await getCode(id);
        return errorCodes(x).includes("duplicate_code_on_device") ? x : null;
      }, "duplicate_code_on_device on the code");
      expect(c.status).not.toBe("set");
      expect(errorCodes(c).filter((x) => x === "duplicate_code_on_device")).toHaveLength(1);
      expectSeam("access_code", c);
      expect((await hub.slots(dev.Side!)).filter((s) => s.code === "2468")).toEqual([{ slot: free, code: "2468" }]);
      // One refusal is one failure event.
      await sleep(500);
      expect(eventsFor(id).filter((x) => x.event_type === "access_code.failed_to_set_on_device")).toHaveLength(1);
    } finally {
      await call("/hub/simulate/lock_faults", { device_id: dev.Side, masked_readback: false });
      await call("/access_codes/delete", { access_code_id: id });
    }
  });

  it("offline via /devices/simulate/disconnect -> device_offline; connect -> work resumes", async () => {
    const id = await setCode(dev.Side!, "7913");
    await call("/devices/simulate/disconnect", { device_id: dev.Side });
    // A battery Zigbee lock is never polled: the hub learns it is gone at its next command.
    const pending = await create(dev.Side!, "8024");
    const t0 = Date.now();
    const disconnected = await waitEvent("device.disconnected", (x) => x.device_id === dev.Side);
    timings["first command until device.disconnected"] = Date.now() - t0;
    expectSeam("seam_event", disconnected);
    await waitFor(async () => (await device(dev.Side!)).properties.online === false, "device offline");
    expect(errorCodes(await device(dev.Side!))).toContain("device_offline");
    await waitFor(async () => errorCodes(await getCode(id)).includes("device_offline"), "device_offline on the set code");
    const p = await getCode(pending);
    expect(p.status).toBe("setting");
    expectSeam("access_code", p);
    expect(await slotOf(dev.Side!, "8024")).toBeUndefined();

    const t1 = Date.now();
    await call("/devices/simulate/connect", { device_id: dev.Side });
    await waitEvent("device.connected", (x) => x.device_id === dev.Side);
    await waitFor(async () => (await getCode(pending)).status === "set", "pending code set after reconnect", 30_000);
    timings["connect until the pending code is set"] = Date.now() - t1;
    expect((await device(dev.Side!)).properties.online).toBe(true);
    expect(errorCodes(await getCode(id))).not.toContain("device_offline");
    expect(errorCodes(await getCode(pending))).not.toContain("device_offline");
    expect(await slotOf(dev.Side!, "8024")).toBeDefined();
    expect(await slotOf(dev.Side!, "7913")).toBeDefined();
  });

  it("every event and object seen is Seam-valid", async () => {
    for (const e of cloud.events) expectSeam("seam_event", e);
    for (const name of ["Door", "Side"]) {
      for (const c of (await call("/access_codes/list", { device_id: dev[name] })).access_codes as unknown[]) expectSeam("access_code", c);
      for (const u of await unmanaged(dev[name]!)) expectSeam("unmanaged_access_code", u);
    }
  });

  it("PINs never appear in the hub's logs", () => {
    expect(hub.logs.length).toBeGreaterThan(0);
    expect(pins.leaked(hub.logs)).toEqual([]);
  });
});
