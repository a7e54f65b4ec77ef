// The official Seam SDK (@seamapi/http) end to end against the hub process: every method of accessCodes,
// accessCodes.unmanaged, accessCodes.simulate, devices, locks (get/list), events and actionAttempts, in the
// HTTP forms the SDK sends (GET/DELETE with query strings, PATCH/PUT/POST with bodies), createPaginator over
// every list that paginates, and errors as the SDK's typed errors (validation messages per field).
import { SeamHttpApiError, SeamHttpInvalidInputError, type SeamHttp } from "@seamapi/http/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubProcess } from "../support/hub-process.js";
import { PinLedger } from "../support/pins.js";
import { waitFor } from "../support/ports.js";
import { expectSeam } from "../support/seam.js";

const pins = new PinLedger();
let hub: HubProcess;
let seam: SeamHttp;
let zwave: string;
let zigbee: string;
const DAY = 86_400_000;
const at = (ms: number) => new Date(Date.now() + ms).toISOString();

beforeAll(async () => {
  hub = new HubProcess({
    locks: [
      { protocol: "zwave", name: "SDK Z-Wave door", slots: 20 },
      { protocol: "zigbee", name: "SDK Zigbee door", slots: 20 },
    ],
  });
  await hub.start();
  const devices = await hub.devices();
  zwave = devices.get("SDK Z-Wave door")!.device_id as string;
  zigbee = devices.get("SDK Zigbee door")!.device_id as string;
  seam = hub.http;
}, 120_000);

afterAll(async () => {
  const logs = hub?.logs ?? "";
  await hub?.cleanup();
  expect(pins.leaked(logs), "PINs in the hub's logs").toEqual([]);
});

/** The error a call throws (the test fails if it does not throw). */
async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to throw");
}

const setOn = async (accessCodeId: string) => waitFor(async () => (await seam.accessCodes.get({ access_code_id: accessCodeId })).status === "set", `code ${accessCodeId} set`, 30_000, 100);

describe("the official Seam SDK against the hub process", () => {
  for (const lock of ["zwave", "zigbee"] as const) {
    it(`accessCodes: create, get, list (paginated), update, generateCode, reportDeviceConstraints, delete — ${lock}`, async () => {
      const device_id = lock === "zwave" ? zwave : zigbee;
      const code = await seam.accessCodes.create({ device_id, name: "SDK guest", code: pins.use(lock === "zwave" ? "482913" : "571846") });
      expectSeam("access_code", code);
      expect(code).toMatchObject({ device_id, name: "SDK guest", type: "ongoing", is_managed: true });
      await setOn(code.access_code_id);
      const timed = await seam.accessCodes.create({ device_id, name: "SDK window", starts_at: at(DAY), ends_at: at(2 * DAY), preferred_code_length: 5 });
      expect(timed).toMatchObject({ type: "time_bound", status: "unset" });
      expect(timed.code).toMatch(/^\d{5}$/);
      pins.use(timed.code!);

      expect((await seam.accessCodes.get({ device_id, code: code.code! })).access_code_id).toBe(code.access_code_id);
      const listed = await seam.accessCodes.list({ device_id });
      expect(listed.map((c) => c.access_code_id)).toEqual(expect.arrayContaining([code.access_code_id, timed.access_code_id]));
      expect((await seam.accessCodes.list({ access_code_ids: [timed.access_code_id] })).map((c) => c.access_code_id)).toEqual([timed.access_code_id]);
      expect((await seam.accessCodes.list({ device_id, search: "sdk guest" })).map((c) => c.access_code_id)).toEqual([code.access_code_id]);

      // createPaginator: one per page, the same codes in the same order as one list.
      const paginator = seam.createPaginator(seam.accessCodes.list({ device_id, limit: 1 }));
      const [first, pagination] = await paginator.firstPage();
      expect(first).toHaveLength(1);
      expect(pagination.hasNextPage).toBe(true);
      expect((await paginator.flattenToArray()).map((c) => c.access_code_id)).toEqual(listed.map((c) => c.access_code_id));
      const pages: number[] = [];
      for await (const page of seam.createPaginator(seam.accessCodes.list({ device_id, limit: 1 }))) pages.push(page.length);
      expect(pages).toEqual(listed.map(() => 1));

      await seam.accessCodes.update({ access_code_id: code.access_code_id, name: "SDK guest 2", code: pins.use(lock === "zwave" ? "640271" : "730582") });
      const updated = await seam.accessCodes.get({ access_code_id: code.access_code_id });
      expect(updated).toMatchObject({ name: "SDK guest 2", code: lock === "zwave" ? "640271" : "730582" });
      await setOn(code.access_code_id);

      const generated = await seam.accessCodes.generateCode({ device_id });
      expect(generated.device_id).toBe(device_id);
      expect(generated.code).toMatch(/^\d{4,8}$/);

      await seam.accessCodes.reportDeviceConstraints({ device_id, supported_code_lengths: [6, 7] });
      expect((await seam.devices.get({ device_id })).properties.supported_code_lengths).toEqual([6, 7]);
      await seam.accessCodes.reportDeviceConstraints({ device_id, min_code_length: 4, max_code_length: 8 });
      expect((await seam.devices.get({ device_id })).properties.supported_code_lengths).toEqual([4, 5, 6, 7, 8]);

      // delete is a DELETE with a query string; right after it the code shows removing, then it is gone.
      await seam.accessCodes.delete({ access_code_id: code.access_code_id, device_id });
      const removing = await seam.accessCodes.get({ access_code_id: code.access_code_id }).catch((e: unknown) => e);
      if (!(removing instanceof SeamHttpApiError)) expect((removing as { status: string }).status).toBe("removing");
      await waitFor(async () => (await thrown(seam.accessCodes.get({ access_code_id: code.access_code_id }))) instanceof SeamHttpApiError, "deleted", 30_000, 100);
      const gone = (await thrown(seam.accessCodes.get({ access_code_id: code.access_code_id }))) as SeamHttpApiError;
      expect([gone.statusCode, gone.code]).toEqual([404, "access_code_not_found"]);
      await seam.accessCodes.delete({ access_code_id: timed.access_code_id });
    }, 120_000);
  }

  it("accessCodes: createMultiple, updateMultiple, pullBackupAccessCode", async () => {
    const made = await seam.accessCodes.createMultiple({ device_ids: [zwave, zigbee], name: "Family", starts_at: at(-60_000), ends_at: at(DAY) });
    expect(made).toHaveLength(2);
    for (const c of made) pins.use(c.code!);
    expect(made[0]!.code).toBe(made[1]!.code);
    const key = made[0]!.common_code_key!;
    expect(key).toMatch(/^auto_set_by_create_multiple_/);
    const endsAt = at(2 * DAY);
    await seam.accessCodes.updateMultiple({ common_code_key: key, name: "Family 2", ends_at: endsAt });
    for (const c of made) expect(await seam.accessCodes.get({ access_code_id: c.access_code_id })).toMatchObject({ name: "Family 2", ends_at: endsAt });

    const original = await seam.accessCodes.create({ device_id: zwave, name: "Stay", starts_at: at(-60_000), ends_at: at(DAY), use_backup_access_code_pool: true, code: pins.use("815306") });
    const backup = await waitFor(
      async () => {
        try {
          return await seam.accessCodes.pullBackupAccessCode({ access_code_id: original.access_code_id });
        } catch (e) {
          if (e instanceof SeamHttpApiError && e.code === "empty_backup_access_code_pool") return null;
          throw e;
        }
      },
      "a backup code in the pool",
      40_000,
      200,
    );
    pins.use(backup.code!);
    expectSeam("access_code", backup);
    expect(backup).toMatchObject({ is_backup: true, device_id: zwave, status: "set" });
    expect((await seam.accessCodes.get({ access_code_id: original.access_code_id })).pulled_backup_access_code_id).toBe(backup.access_code_id);
    // Pulling again answers the same backup code.
    expect((await seam.accessCodes.pullBackupAccessCode({ access_code_id: original.access_code_id })).access_code_id).toBe(backup.access_code_id);
  }, 120_000);

  it("accessCodes.simulate and accessCodes.unmanaged: create, list (paginated), get, update, convertToManaged, delete", async () => {
    const a = await seam.accessCodes.simulate.createUnmanagedAccessCode({ device_id: zigbee, name: "Keypad A", code: pins.use("902417") });
    const b = await seam.accessCodes.simulate.createUnmanagedAccessCode({ device_id: zigbee, name: "Keypad B", code: pins.use("913528") });
    const c = await seam.accessCodes.simulate.createUnmanagedAccessCode({ device_id: zigbee, name: "Keypad C", code: pins.use("924639") });
    for (const u of [a, b, c]) expectSeam("unmanaged_access_code", u);
    await waitFor(async () => (await seam.accessCodes.unmanaged.list({ device_id: zigbee })).length >= 3, "three unmanaged codes", 30_000, 100);
    const all = await seam.accessCodes.unmanaged.list({ device_id: zigbee });
    for (const u of all) expectSeam("unmanaged_access_code", u);
    expect(all.map((u) => u.access_code_id)).toEqual(expect.arrayContaining([a.access_code_id, b.access_code_id, c.access_code_id]));
    expect((await seam.createPaginator(seam.accessCodes.unmanaged.list({ device_id: zigbee, limit: 2 })).flattenToArray()).map((u) => u.access_code_id)).toEqual(all.map((u) => u.access_code_id));
    expect((await seam.accessCodes.unmanaged.list({ device_id: zigbee, search: "913528" })).map((u) => u.access_code_id)).toEqual([b.access_code_id]);
    expect((await seam.accessCodes.unmanaged.get({ access_code_id: a.access_code_id })).code).toBe("902417");
    expect((await seam.accessCodes.unmanaged.get({ device_id: zigbee, code: "913528" })).access_code_id).toBe(b.access_code_id);

    await seam.accessCodes.unmanaged.update({ access_code_id: a.access_code_id, is_managed: true, is_external_modification_allowed: true });
    expect(await seam.accessCodes.get({ access_code_id: a.access_code_id })).toMatchObject({ is_managed: true, is_external_modification_allowed: true, code: "902417" });
    await seam.accessCodes.unmanaged.convertToManaged({ access_code_id: b.access_code_id });
    expect(await seam.accessCodes.get({ access_code_id: b.access_code_id })).toMatchObject({ is_managed: true, status: "set" });
    await seam.accessCodes.unmanaged.delete({ access_code_id: c.access_code_id });
    await waitFor(async () => (await thrown(seam.accessCodes.unmanaged.get({ access_code_id: c.access_code_id }))) instanceof SeamHttpApiError, "unmanaged code deleted", 30_000, 100);
    expect((await hub.slots(zigbee)).some((s) => s.code === "924639")).toBe(false);
  }, 120_000);

  it("devices and locks: list (filters, paginated), get, update (name, custom_metadata); unserved methods answer 404", async () => {
    const devices = await seam.devices.list();
    for (const d of devices) expectSeam("device", d);
    expect(devices.map((d) => d.device_id).sort()).toEqual([zwave, zigbee].sort());
    expect((await seam.devices.list({ device_ids: [zigbee] })).map((d) => d.device_id)).toEqual([zigbee]);
    expect((await seam.createPaginator(seam.devices.list({ limit: 1 })).flattenToArray()).map((d) => d.device_id)).toEqual(devices.map((d) => d.device_id));
    const locks = await seam.locks.list();
    expect(locks.map((d) => d.device_id)).toEqual(devices.map((d) => d.device_id));
    // The SDK's LocksListParameters lacks device_ids although the OpenAPI defines it: passed untyped.
    const onlyZwave = { device_ids: [zwave] } as unknown as Parameters<typeof seam.locks.list>[0];
    expect((await seam.locks.list(onlyZwave)).map((d) => d.device_id)).toEqual([zwave]);
    expect((await seam.locks.get({ device_id: zwave })).device_id).toBe(zwave);
    expect((await seam.devices.get({ name: "SDK Zigbee door" })).device_id).toBe(zigbee);

    await seam.devices.update({ device_id: zwave, name: "Front porch", custom_metadata: { unit: "12", vip: true } });
    const renamed = await seam.devices.get({ device_id: zwave });
    expectSeam("device", renamed);
    expect(renamed).toMatchObject({ display_name: "Front porch", custom_metadata: { unit: "12", vip: true } });
    expect((await seam.devices.list({ custom_metadata_has: { unit: "12" } })).map((d) => d.device_id)).toEqual([zwave]);
    expect((await seam.devices.list({ custom_metadata_has: { vip: true } })).map((d) => d.device_id)).toEqual([zwave]);
    const [nameEvent] = await seam.events.list({ device_id: zwave, event_type: "device.name_changed", since: at(-60_000) });
    expect(nameEvent).toMatchObject({ event_type: "device.name_changed", device_name: "Front porch" });
    await seam.devices.update({ device_id: zwave, name: null });
    expect((await seam.locks.get({ device_id: zwave })).display_name).toBe("SDK Z-Wave door");

    for (const call of [seam.devices.listDeviceProviders(), seam.devices.reportProviderMetadata({ devices: [] })]) {
      const e = (await thrown(call)) as SeamHttpApiError;
      expect([e.statusCode, e.code]).toEqual([404, "not_found"]);
    }
  }, 120_000);

  it("events and actionAttempts: list (filters; attempts paginated), get", async () => {
    const since = at(-60_000);
    const code = await seam.accessCodes.create({ device_id: zigbee, code: pins.use("350719") });
    await setOn(code.access_code_id);
    const events = await seam.events.list({ since, access_code_id: code.access_code_id });
    for (const e of events) expectSeam("seam_event", e);
    expect(events.map((e) => e.event_type)).toEqual(["access_code.created", "access_code.set_on_device"]);
    expect((await seam.events.list({ since, device_ids: [zigbee], event_types: ["access_code.set_on_device"], access_code_ids: [code.access_code_id] })).map((e) => e.event_id)).toEqual([events[1]!.event_id]);
    expect((await seam.events.get({ event_id: events[0]!.event_id })).event_id).toBe(events[0]!.event_id);
    expect((await seam.events.get({ device_id: zigbee, event_type: "access_code.set_on_device" })).event_type).toBe("access_code.set_on_device");
    // events/list has no pagination in Seam: the SDK's types and its runtime both refuse a paginator.
    expect(() => seam.createPaginator(seam.events.list({ since }) as never)).toThrow(/does not support pagination/);

    await seam.accessCodes.update({ access_code_id: code.access_code_id, name: "Renamed" });
    await seam.accessCodes.delete({ access_code_id: code.access_code_id });
    const attempts = await seam.actionAttempts.list({ device_id: zigbee });
    for (const a of attempts) expect(["CREATE_ACCESS_CODE", "UPDATE_ACCESS_CODE", "DELETE_ACCESS_CODE"]).toContain(a.action_type);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect((await seam.createPaginator(seam.actionAttempts.list({ device_id: zigbee, limit: 2 })).flattenToArray()).map((a) => a.action_attempt_id)).toEqual(attempts.map((a) => a.action_attempt_id));
    const last = attempts.at(-1)!;
    expect(await seam.actionAttempts.get({ action_attempt_id: last.action_attempt_id })).toMatchObject({ action_attempt_id: last.action_attempt_id, action_type: "DELETE_ACCESS_CODE", status: "success" });
    expect((await seam.actionAttempts.list({ action_attempt_ids: [last.action_attempt_id] })).map((a) => a.action_attempt_id)).toEqual([last.action_attempt_id]);
  }, 120_000);

  it("errors arrive as the SDK's typed errors, with validation messages per field", async () => {
    const short = await thrown(seam.accessCodes.create({ device_id: zwave, code: "12" }));
    expect(short).toBeInstanceOf(SeamHttpInvalidInputError);
    const invalid = short as SeamHttpInvalidInputError;
    expect(invalid.statusCode).toBe(400);
    expect(invalid.getValidationErrorMessages("code")).toEqual([expect.stringMatching(/code must be 4 to 8 characters/)]);
    expect(invalid.getValidationErrorMessages("name")).toEqual([]);
    const window = (await thrown(seam.accessCodes.create({ device_id: zwave, starts_at: at(DAY) }))) as SeamHttpInvalidInputError;
    expect(window.getValidationErrorMessages("ends_at")).toHaveLength(1);
    const refused = (await thrown(seam.accessCodes.list({ device_id: zwave, customer_key: "acme" }))) as SeamHttpInvalidInputError;
    expect(refused).toBeInstanceOf(SeamHttpInvalidInputError);
    expect(refused.getValidationErrorMessages("customer_key")[0]).toMatch(/not supported by this hub/);
    expect(refused.validationErrors.map((v) => v.parameterName)).toEqual(["customer_key"]);
    const missing = (await thrown(seam.devices.get({ device_id: "6ba7b810-9dad-41d1-80b4-00c04fd430c8" }))) as SeamHttpApiError;
    expect([missing.statusCode, missing.code]).toEqual([404, "device_not_found"]);
  }, 60_000);
});
