// The Zigbee driver against the real zigbee-herdsman Controller on the simulated coordinator.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { RadioError } from "../../drivers/contract.js";
import { ZigbeeHarness, zigbeeLock } from "../support/zigbee-harness.js";

let h: ZigbeeHarness;
afterEach(async () => {
  // No PIN a test used may ever reach a log line.
  for (const pin of ["0123", "975310", "4455", "8642", "13579", "24680", "5555", "777111"]) {
    expect(h.logText(), `PIN ${pin} logged`).not.toContain(pin);
  }
  await h.dispose();
});

function savedProfiles(dataDir: string): Record<string, { endpoint: number; readbackLimit: string | null }> {
  const file = JSON.parse(readFileSync(path.join(dataDir, "zigbee", "lock-profiles.json"), "utf8")) as { locks: Record<string, { endpoint: number; readbackLimit: string | null }> };
  return file.locks;
}

describe("capabilities and discovery", () => {
  test("capabilities come from the Door Lock attributes; the Door Lock endpoint is found, 11 or 1", async () => {
    h = new ZigbeeHarness([
      zigbeeLock({ name: "Front", slots: 20, code_lengths: [4, 5, 6, 7, 8], native_scheduling: true }),
      zigbeeLock({ name: "Garage", slots: 30, code_lengths: [6, 7], masked_readback: true }),
    ]);
    await h.start();
    const [front, garage] = [h.lockNamed("Front"), h.lockNamed("Garage")];
    expect(front.identity).toMatchObject({ protocol: "zigbee", name: "Front", simulated: true, isBattery: true });
    expect(front.identity.radioId).toMatch(/^zigbee:0x[0-9a-f]{16}$/);
    expect(front.capabilities()).toEqual({
      slotCount: 20,
      codeLengths: [4, 5, 6, 7, 8],
      charset: "0123456789",
      supportsChecksum: false,
      supportsNativeSchedule: true,
      readback: "digits",
    });
    expect(garage.capabilities()).toMatchObject({ slotCount: 30, codeLengths: [6, 7], supportsNativeSchedule: false, readback: "status_only" });
    expect(front.batteryLevel()).toBe(100);
    const profiles = savedProfiles(h.dataDir);
    expect(profiles[front.identity.radioId.slice("zigbee:".length)]?.endpoint).toBe(11);
    expect(profiles[garage.identity.radioId.slice("zigbee:".length)]?.endpoint).toBe(1);
    // The lock on endpoint 11 is driven there.
    expect(await front.writeSlot(3, "4455")).toEqual({ ok: true, proof: "readback" });
    expect(h.simulator.physicalSlots(front.identity.radioId)[2]).toEqual({ slot: 3, code: "4455" });
  });
});

describe("slots", () => {
  test('write "0123" reads back "0123" (leading zero kept), clear reads back null', async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: null });
    expect(await lock.writeSlot(1, "0123")).toEqual({ ok: true, proof: "readback" });
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: "0123" });
    expect(h.simulator.physicalSlots(id)[0]).toEqual({ slot: 1, code: "0123" });
    expect(await lock.clearSlot(1)).toEqual({ ok: true, proof: "readback" });
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: null });
    expect(h.simulator.physicalSlots(id)[0]).toEqual({ slot: 1, code: null });
  });

  test("codes that cannot fit are refused before any radio traffic", async () => {
    h = new ZigbeeHarness([zigbeeLock({ code_lengths: [4, 5, 6] })]);
    await h.start();
    const lock = h.lock();
    const before = h.simulator.frameCount();
    expect(await lock.writeSlot(1, "1234567")).toMatchObject({ ok: false, failure: "rejected" });
    expect(await lock.writeSlot(1, "12a4")).toMatchObject({ ok: false, failure: "rejected" });
    expect(await lock.writeSlot(21, "1234")).toMatchObject({ ok: false, failure: "rejected" });
    expect(await lock.writeSlot(1, "1234", { startsAt: new Date(), endsAt: new Date(Date.now() + 1000) })).toMatchObject({ ok: false, failure: "rejected" });
    await expect(lock.readSlot(0)).rejects.toBeInstanceOf(RadioError);
    expect(h.simulator.frameCount()).toBe(before);
  });

  test("a Default Response to setPinCode is a failure, not success", async () => {
    h = new ZigbeeHarness([zigbeeLock({ zigbee: { answersSetPinCodeWithDefaultResponse: true } })]);
    await h.start();
    const lock = h.lock();
    const result = await lock.writeSlot(2, "8642");
    expect(result).toMatchObject({ ok: false, failure: "rejected" });
    expect(result.ok ? "" : result.message).toMatch(/Default Response/);
    expect(h.simulator.physicalSlots(lock.identity.radioId)[1]).toEqual({ slot: 2, code: null });
  });

  test("ZCL status 3 is a duplicate: failure 'duplicate' and a duplicate_refused event", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    expect((await lock.writeSlot(1, "5555")).ok).toBe(true);
    expect(await lock.writeSlot(2, "5555")).toMatchObject({ ok: false, failure: "duplicate" });
    await h.nextEvent("duplicate_refused", (e) => e.slot === 2);
    expect(h.simulator.physicalSlots(lock.identity.radioId)[1]).toEqual({ slot: 2, code: null });
  });

  test("Yale: a general failure with genAlarms 113 is a duplicate too, reported for the slot written", async () => {
    h = new ZigbeeHarness([zigbeeLock({ zigbee: { duplicateReport: "alarm" } })]);
    await h.start();
    const lock = h.lock();
    expect((await lock.writeSlot(1, "5555")).ok).toBe(true);
    expect(await lock.writeSlot(2, "5555")).toMatchObject({ ok: false, failure: "duplicate" });
    // The alarm names no slot, but it answers the hub's own write: the refusal is reported for that slot.
    await h.nextEvent("duplicate_refused", (e) => e.slot === 2);
  });

  test("rejects_codes: the lock's refusal is 'rejected' and memory is unchanged", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    h.simulator.setFaults(lock.identity.radioId, { rejects_codes: true });
    expect(await lock.writeSlot(4, "24680")).toMatchObject({ ok: false, failure: "rejected" });
    expect(h.simulator.physicalSlots(lock.identity.radioId)[3]).toEqual({ slot: 4, code: null });
    h.simulator.setFaults(lock.identity.radioId, { rejects_codes: false });
    expect(await lock.writeSlot(4, "24680")).toEqual({ ok: true, proof: "readback" });
  });

  test("masked read-back: writes are proven by status, occupied slots read as undefined", async () => {
    h = new ZigbeeHarness([zigbeeLock({ masked_readback: true })]);
    await h.start();
    const lock = h.lock();
    expect(lock.capabilities().readback).toBe("status_only");
    expect(await lock.writeSlot(1, "13579")).toEqual({ ok: true, proof: "status" });
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: undefined });
    expect(await lock.readSlot(2)).toEqual({ slot: 2, code: null });
    expect(h.simulator.physicalSlots(lock.identity.radioId)[0]).toEqual({ slot: 1, code: "13579" });
  });

  test("native schedules: the PIN works only inside its year-day window; clear removes PIN and schedule", async () => {
    h = new ZigbeeHarness([zigbeeLock({ native_scheduling: true })]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    const startsAt = new Date("2030-06-01T10:00:00Z");
    const endsAt = new Date("2030-06-03T10:00:00Z");
    expect(await lock.writeSlot(5, "777111", { startsAt, endsAt })).toEqual({ ok: true, proof: "readback" });
    expect(h.simulator.physicalSchedules(id).has(5)).toBe(true);
    expect(await h.simulator.keypadUnlock(id, "777111", new Date("2030-06-02T10:00:00Z"))).toEqual({ unlocked: true, slot: 5 });
    expect(await h.simulator.keypadUnlock(id, "777111", new Date("2030-06-04T10:00:00Z"))).toEqual({ unlocked: false, slot: null });
    expect(await lock.clearSlot(5)).toEqual({ ok: true, proof: "readback" });
    expect(h.simulator.physicalSchedules(id).has(5)).toBe(false);
    expect(h.simulator.physicalSlots(id)[4]).toEqual({ slot: 5, code: null });
  });

  test("rewriting a scheduled slot without a schedule removes the old window", async () => {
    h = new ZigbeeHarness([zigbeeLock({ native_scheduling: true })]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    const window = { startsAt: new Date("2030-06-01T10:00:00Z"), endsAt: new Date("2030-06-03T10:00:00Z") };
    expect((await lock.writeSlot(6, "24680", window)).ok).toBe(true);
    expect(await lock.writeSlot(6, "24680")).toEqual({ ok: true, proof: "readback" });
    expect(h.simulator.physicalSchedules(id).has(6)).toBe(false);
    expect(await h.simulator.keypadUnlock(id, "24680", new Date("2031-01-01T00:00:00Z"))).toEqual({ unlocked: true, slot: 6 });
  });
});

describe("the hub's schedules, remembered per slot", () => {
  test("a plain code costs no schedule command unless the slot may still hold the hub's schedule; kept across a restart", async () => {
    h = new ZigbeeHarness([zigbeeLock({ native_scheduling: true })]);
    await h.start();
    const id = h.lock().identity.radioId;
    const ieee = id.slice("zigbee:".length);
    const commands = async (work: () => Promise<unknown>) => {
      const before = h.simulator.commandCount(id);
      await work();
      return h.simulator.commandCount(id) - before;
    };
    const window = { startsAt: new Date("2030-06-01T10:00:00Z"), endsAt: new Date("2030-06-03T10:00:00Z") };
    // A fresh slot: setPinCode and its read-back, no clearYearDaySchedule.
    expect(await commands(() => h.lock().writeSlot(2, "13579"))).toBe(2);
    expect(await commands(() => h.lock().writeSlot(3, "24680", window))).toBe(3);
    expect((savedProfiles(h.dataDir)[ieee] as { hubSchedules?: number[] }).hubSchedules).toEqual([3]);
    await h.restart();
    // Still known after the restart: the plain rewrite of slot 3 clears its window, once.
    expect(await commands(() => h.lock().writeSlot(3, "24680"))).toBe(3);
    expect(h.simulator.physicalSchedules(id).has(3)).toBe(false);
    expect(await commands(() => h.lock().writeSlot(3, "5555"))).toBe(2);
    expect((savedProfiles(h.dataDir)[ieee] as { hubSchedules?: number[] }).hubSchedules).toEqual([]);
  });
});

describe("events", () => {
  test("keypad add, change and delete arrive as slot_changed; a keypad duplicate as duplicate_refused", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const id = h.lock().identity.radioId;
    await h.simulator.keypadSetCode(id, 7, "4455");
    await h.nextEvent("slot_changed", (e) => e.slot === 7 && e.code === "4455" && e.cause === "keypad_added");
    await h.simulator.keypadSetCode(id, 7, "8642");
    await h.nextEvent("slot_changed", (e) => e.slot === 7 && e.code === "8642" && e.cause === "keypad_added");
    await h.simulator.keypadSetCode(id, 8, "8642");
    await h.nextEvent("duplicate_refused", (e) => e.radioId === id);
    expect(h.simulator.physicalSlots(id)[7]).toEqual({ slot: 8, code: null });
    await h.simulator.keypadClearCode(id, 7);
    await h.nextEvent("slot_changed", (e) => e.slot === 7 && e.code === null && e.cause === "keypad_deleted");
    await h.simulator.keypadClearAll(id);
    await h.nextEvent("all_slots_cleared", (e) => e.radioId === id);
  });

  test("a keypad unlock is one lock_operation: unlocked, keycode, with the slot", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    expect((await lock.writeSlot(3, "0123")).ok).toBe(true);
    expect(await h.simulator.keypadUnlock(id, "9999")).toEqual({ unlocked: false, slot: null });
    expect(await h.simulator.keypadUnlock(id, "0123")).toEqual({ unlocked: true, slot: 3 });
    await h.nextEvent("lock_operation", (e) => e.action === "unlocked" && e.method === "keycode" && e.slot === 3);
    // The lockState report that follows the notification is the same unlock, not a second one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.events.filter((e) => e.type === "lock_operation")).toHaveLength(1);
  });

  test("unresponsive: one bounded attempt, failure 'timeout', offline; online again when it answers", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    h.simulator.setFaults(id, { unresponsive: true });
    const t0 = Date.now();
    expect(await lock.writeSlot(1, "4455")).toMatchObject({ ok: false, failure: "timeout" });
    expect(Date.now() - t0).toBeLessThan(400 + 300);
    expect(lock.isOnline()).toBe(false);
    await h.nextEvent("availability", (e) => e.radioId === id && !e.online);
    await expect(lock.readSlot(1)).rejects.toMatchObject({ failure: "offline" });
    h.simulator.setFaults(id, { unresponsive: false });
    expect((await lock.writeSlot(1, "4455")).ok).toBe(true);
    await h.nextEvent("availability", (e) => e.radioId === id && e.online);
  });

  test("disconnect -> offline after a failed command; connect -> online; remove -> lock_removed", async () => {
    h = new ZigbeeHarness([zigbeeLock()]);
    await h.start();
    const lock = h.lock();
    const id = lock.identity.radioId;
    await h.simulator.disconnect(id);
    expect(await lock.writeSlot(1, "4455")).toMatchObject({ ok: false, failure: "offline" });
    await h.nextEvent("availability", (e) => !e.online);
    await h.simulator.connect(id);
    await h.nextEvent("availability", (e) => e.online);
    expect(lock.isOnline()).toBe(true);
    await h.simulator.remove(id);
    await h.nextEvent("lock_removed", (e) => e.radioId === id);
    expect(h.driver?.locks()).toHaveLength(0);
  });
});

describe("restarts", () => {
  test("a lock that never answers getPinCode is detected once and remembered across a restart", async () => {
    h = new ZigbeeHarness([zigbeeLock({ zigbee: { ignoresGetPinCode: true } })]);
    await h.start();
    let lock = h.lock();
    expect(lock.capabilities().readback).toBe("digits");
    expect(await lock.writeSlot(1, "4455")).toEqual({ ok: true, proof: "status" });
    expect(lock.capabilities().readback).toBe("status_only");
    expect(lock.isOnline()).toBe(true);
    const before = h.simulator.frameCount();
    expect(await lock.readSlot(2)).toEqual({ slot: 2, code: undefined });
    expect(h.simulator.frameCount()).toBe(before);

    await h.restart();
    lock = h.lock();
    expect(lock.capabilities().readback).toBe("status_only");
    expect(savedProfiles(h.dataDir)[lock.identity.radioId.slice("zigbee:".length)]?.readbackLimit).toBe("no_get_pin_code_answer");
    const t0 = Date.now();
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: undefined });
    expect(Date.now() - t0).toBeLessThan(50);
    expect(h.simulator.frameCount()).toBe(0);
  });

  test("restart on the same data dir keeps lock memory and radio ids, with a few frames instead of a slot scan", async () => {
    h = new ZigbeeHarness([zigbeeLock({ slots: 20 })]);
    await h.start();
    const firstJoin = h.simulator.frameCount();
    const radioId = h.lock().identity.radioId;
    expect((await h.lock().writeSlot(1, "0123")).ok).toBe(true);

    await h.restart();
    const lock = h.lock();
    expect(lock.identity.radioId).toBe(radioId);
    expect(h.simulator.physicalSlots(radioId)[0]).toEqual({ slot: 1, code: "0123" });
    const restartFrames = h.simulator.frameCount();
    expect(await lock.readSlot(1)).toEqual({ slot: 1, code: "0123" });

    const scanStart = h.simulator.frameCount();
    for (let slot = 1; slot <= lock.capabilities().slotCount; slot++) await lock.readSlot(slot);
    const scanFrames = h.simulator.frameCount() - scanStart;
    expect(restartFrames).toBeLessThan(scanFrames / 4);
    console.info(`zigbee frames: first join ${firstJoin}, restart ${restartFrames}, reading all 20 slots ${scanFrames}`);
  });
});
