// The Z-Wave driver against the REAL zwave-js driver and zwave-js's published mock controller and
// mock nodes (drivers/zwave/sim/network.ts). One simulated network is shared by the tests in order
// (start-up costs ~2 s), then restarted on the same data directory.
import type { MockController } from "@zwave-js/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RadioError, type DriverEvent, type LockHandle } from "../../drivers/contract.js";
import { UserCodeCCReport, UserIDStatus } from "zwave-js";
import { createZWaveDriver } from "../../drivers/zwave/index.js";
import { removeLeftoverCacheLocks } from "../support/zwave-cache-locks.js";
import { accessControlReport } from "../../drivers/zwave/sim/mock-behaviors.js";
import { ZWaveLockSimulator } from "../../drivers/zwave/sim/lock-simulator.js";
import { sendFromLock } from "../../drivers/zwave/sim/secure-send.js";
import { recordingLogger, simLock, simulatedZWave, tempDataDir, type SimulatedZWave } from "../support/zwave-harness.js";

const FRONT = simLock({ name: "Front door", slots: 30, checksum: true, native_scheduling: true, battery: true });
const BACK = simLock({ name: "Back door", slots: 20, code_lengths: [4, 5, 6], battery: false });

/** Every PIN used below: none may ever appear in a log entry. */
const PINS = ["0123", "3690", "98765", "4321", "1111", "2468", "13579", "555666", "7777", "8080", "24680"];

let data: { dir: string; cleanup: () => Promise<void> };
let net: SimulatedZWave;
let front: LockHandle;
let back: LockHandle;
const timings: Record<string, number> = {};
let firstStartFrames = 0;

function sim(): NonNullable<SimulatedZWave["driver"]["simulator"]> {
  const s = net.driver.simulator;
  if (!s) throw new Error("no simulator");
  return s;
}

function physical(lock: LockHandle, slot: number): string | null {
  return sim().physicalSlots(lock.identity.radioId).find((s) => s.slot === slot)?.code ?? null;
}

function isEvent<T extends DriverEvent["type"]>(type: T, radioId: string) {
  return (e: DriverEvent): e is Extract<DriverEvent, { type: T }> => e.type === type && "radioId" in e && e.radioId === radioId;
}

beforeAll(async () => {
  data = await tempDataDir();
  net = simulatedZWave(data.dir, [FRONT, BACK]);
  let t = Date.now();
  await net.driver.start();
  timings["start (driver ready)"] = Date.now() - t;
  t = Date.now();
  const locks = await net.recorder.locksReady(2);
  timings["interview of both locks"] = Date.now() - t;
  firstStartFrames = sim().frameCount();
  const byName = (name: string): LockHandle => {
    const lock = locks.find((l) => l.identity.name === name);
    if (!lock) throw new Error(`${name} not ready`);
    return lock;
  };
  front = byName("Front door");
  back = byName("Back door");
});

afterAll(async () => {
  await net?.driver.stop();
  // PINs are for locks, never for logs.
  const logged = JSON.stringify(net?.logger.entries ?? []);
  for (const pin of PINS) expect(logged, `a PIN leaked into the log`).not.toContain(`"${pin}"`);
  console.info("z-wave simulation timings (ms):", JSON.stringify(timings));
  await data?.cleanup();
});

describe("simulated Z-Wave locks", () => {
  it("reports identity and capabilities learned from the lock", () => {
    expect(front.identity.radioId).toMatch(/^zwave:[0-9a-f]{8}:2$/);
    expect(back.identity.radioId).toMatch(/^zwave:[0-9a-f]{8}:3$/);
    expect(front.identity).toMatchObject({ protocol: "zwave", simulated: true, isBattery: true, name: "Front door" });
    expect(back.identity.isBattery).toBe(false);
    expect(front.capabilities()).toEqual({
      slotCount: 30,
      codeLengths: [4, 5, 6, 7, 8],
      charset: "0123456789",
      supportsChecksum: true,
      supportsNativeSchedule: true,
      readback: "digits",
    });
    expect(back.capabilities()).toMatchObject({ slotCount: 20, codeLengths: [4, 5, 6], supportsChecksum: false, supportsNativeSchedule: false });
    expect(front.isOnline()).toBe(true);
    expect(front.batteryLevel()).toBe(100);
    expect(back.batteryLevel()).toBeNull();
    expect(net.driver.locks()).toHaveLength(2);
  });

  it("writes a code and reads the same string back, leading zero kept", async () => {
    const t = Date.now();
    expect(await front.writeSlot(1, "0123")).toEqual({ ok: true, proof: "supervision" });
    timings["write one code"] = Date.now() - t;
    expect(await front.readSlot(1)).toEqual({ slot: 1, code: "0123" });
    expect(physical(front, 1)).toBe("0123");
    expect(await back.writeSlot(2, "98765")).toEqual({ ok: true, proof: "supervision" });
    expect(await back.readSlot(2)).toEqual({ slot: 2, code: "98765" });
  });

  it("clears a slot and confirms it", async () => {
    await front.writeSlot(4, "2468");
    expect(await front.clearSlot(4)).toEqual({ ok: true, proof: "supervision" });
    expect(await front.readSlot(4)).toEqual({ slot: 4, code: null });
    expect(physical(front, 4)).toBeNull();
  });

  it("reports a checksum that changes with a write and returns with the same state", async () => {
    const before = await front.readChecksum();
    expect(typeof before).toBe("number");
    await front.writeSlot(6, "13579");
    const after = await front.readChecksum();
    expect(after).not.toBe(before);
    await front.clearSlot(6);
    expect(await front.readChecksum()).toBe(before);
    expect(await back.readChecksum()).toBeNull();
  });

  it("never reports its own reads and writes as slot changes", () => {
    expect(net.recorder.events.filter((e) => e.type === "slot_changed")).toEqual([]);
  });

  it("programs a native year-day schedule the lock enforces, and lifts it for a plain code", async () => {
    const now = Date.now();
    const schedule = { startsAt: new Date(now + 3_600_000), endsAt: new Date(now + 7_200_000) };
    expect(await front.writeSlot(5, "555666", schedule)).toMatchObject({ ok: true });
    expect(await sim().keypadUnlock(front.identity.radioId, "555666", new Date(now))).toEqual({ unlocked: false, slot: null });
    expect(await sim().keypadUnlock(front.identity.radioId, "555666", new Date(now + 5_400_000))).toEqual({ unlocked: true, slot: 5 });
    // A plain code in the same slot must not inherit the window.
    expect(await front.writeSlot(5, "555666")).toMatchObject({ ok: true });
    expect(await sim().keypadUnlock(front.identity.radioId, "555666", new Date(now))).toEqual({ unlocked: true, slot: 5 });
    expect(await back.writeSlot(5, "555666", schedule)).toMatchObject({ ok: false, failure: "rejected" });
    await front.clearSlot(5);
  });

  it("reports keypad edits as slot changes and the simulator shows them", async () => {
    const radioId = front.identity.radioId;
    const from = net.recorder.events.length;
    await sim().keypadSetCode(radioId, 7, "4321");
    const added = await net.recorder.waitFor(isEvent("slot_changed", radioId), 5_000, from);
    expect(added).toMatchObject({ slot: 7, cause: "keypad_added" });
    expect(physical(front, 7)).toBe("4321");
    // zwave-js does not cache keypad edits: the hub re-reads the slot.
    expect(await front.readSlot(7)).toEqual({ slot: 7, code: "4321" });

    const from2 = net.recorder.events.length;
    await sim().keypadClearCode(radioId, 7);
    const deleted = await net.recorder.waitFor(isEvent("slot_changed", radioId), 5_000, from2);
    expect(deleted).toMatchObject({ slot: 7, cause: "keypad_deleted" });
    expect(physical(front, 7)).toBeNull();
    expect(await front.readSlot(7)).toEqual({ slot: 7, code: null });
  });

  it("refuses duplicates at the keypad and over the air", async () => {
    const radioId = front.identity.radioId;
    expect(await front.writeSlot(3, "1111")).toMatchObject({ ok: true });
    const from = net.recorder.events.length;
    await sim().keypadSetCode(radioId, 8, "1111");
    expect(await net.recorder.waitFor(isEvent("duplicate_refused", radioId), 5_000, from)).toMatchObject({ slot: 8 });
    expect(physical(front, 8)).toBeNull();
    expect(await front.writeSlot(9, "1111")).toMatchObject({ ok: false, failure: "duplicate" });
    expect(physical(front, 9)).toBeNull();
  });

  it("reports a keypad unlock with the slot used", async () => {
    const radioId = front.identity.radioId;
    const from = net.recorder.events.length;
    expect(await sim().keypadUnlock(radioId, "1111")).toEqual({ unlocked: true, slot: 3 });
    expect(await net.recorder.waitFor(isEvent("lock_operation", radioId), 5_000, from)).toEqual({
      type: "lock_operation",
      radioId,
      action: "unlocked",
      method: "keycode",
      slot: 3,
    });
    expect(await sim().keypadUnlock(radioId, "9999")).toEqual({ unlocked: false, slot: null });
  });

  it("reports unsolicited User Code Reports with their code, and a full wipe as one event", async () => {
    const radioId = front.identity.radioId;
    const mockNode = net.simulation.lock(radioId).mockNode;
    if (!mockNode) throw new Error("front door has no mock node");
    const from = net.recorder.events.length;
    // Some locks report a keypad-programmed code by themselves.
    const report = new UserCodeCCReport({ nodeId: 1, userId: 11, userIdStatus: UserIDStatus.Enabled, userCode: "3690" });
    await sendFromLock(mockNode, report);
    expect(await net.recorder.waitFor(isEvent("slot_changed", radioId), 5_000, from)).toEqual({
      type: "slot_changed",
      radioId,
      slot: 11,
      cause: "report",
      code: "3690",
    });
    // "All user codes deleted": zwave-js blanks its cache slot by slot; the hub gets one event.
    const from2 = net.recorder.events.length;
    await sendFromLock(mockNode, accessControlReport(1, 0x0c));
    await net.recorder.waitFor(isEvent("all_slots_cleared", radioId), 5_000, from2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(net.recorder.events.slice(from2).map((e) => e.type)).toEqual(["all_slots_cleared"]);
  });

  it("reports a refused write as rejected and leaves the lock's memory alone", async () => {
    const radioId = back.identity.radioId;
    sim().setFaults(radioId, { rejects_codes: true });
    try {
      expect(await back.writeSlot(2, "7777")).toMatchObject({ ok: false, failure: "rejected" });
      expect(await back.writeSlot(3, "7777")).toMatchObject({ ok: false, failure: "rejected" });
      expect(physical(back, 2)).toBe("98765");
      expect(physical(back, 3)).toBeNull();
    } finally {
      sim().setFaults(radioId, { rejects_codes: false });
    }
  });

  it("proves writes by status when the lock masks its digits", async () => {
    const radioId = back.identity.radioId;
    sim().setFaults(radioId, { masked_readback: true });
    try {
      expect(back.capabilities().readback).toBe("status_only");
      expect(await back.writeSlot(4, "8080")).toEqual({ ok: true, proof: "status" });
      expect(await back.readSlot(4)).toEqual({ slot: 4, code: undefined });
      expect(await back.readSlot(5)).toEqual({ slot: 5, code: null });
      expect(physical(back, 4)).toBe("8080");
      expect(await back.clearSlot(4)).toEqual({ ok: true, proof: "status" });
    } finally {
      sim().setFaults(radioId, { masked_readback: false });
    }
    expect(back.capabilities().readback).toBe("digits");
  });

  it("refuses a code length the lock does not take", async () => {
    // The back door takes 4..6 digits: 7 digits reach the lock, which refuses and stores nothing.
    expect(await back.writeSlot(6, "1234567")).toMatchObject({ ok: false, failure: "rejected" });
    expect(physical(back, 6)).toBeNull();
    // Z-Wave cannot carry fewer than 4 characters; not sent at all.
    expect(await back.writeSlot(6, "12")).toMatchObject({ ok: false, failure: "rejected" });
    await expect(sim().keypadSetCode(back.identity.radioId, 6, "1234567")).rejects.toThrow(/4, 5, 6/);
  });

  it("times out against an unresponsive lock within a bounded time and marks it offline", async () => {
    const radioId = back.identity.radioId;
    const from = net.recorder.events.length;
    sim().setFaults(radioId, { unresponsive: true });
    try {
      const t = Date.now();
      expect(await back.writeSlot(7, "24680")).toMatchObject({ ok: false, failure: "timeout" });
      timings["write to unresponsive lock"] = Date.now() - t;
      expect(Date.now() - t).toBeLessThan(5_000);
      expect(await net.recorder.waitFor(isEvent("availability", radioId), 5_000, from)).toMatchObject({ online: false });
      expect(back.isOnline()).toBe(false);
      // Known dead now: the next failure says so.
      const error: unknown = await back.readSlot(7).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RadioError);
      expect((error as RadioError).failure).toBe("offline");
      expect(physical(back, 7)).toBeNull();
    } finally {
      sim().setFaults(radioId, { unresponsive: false });
    }
    const from2 = net.recorder.events.length;
    await sim().connect(radioId);
    expect(await net.recorder.waitFor(isEvent("availability", radioId), 5_000, from2)).toMatchObject({ online: true });
    expect(await back.writeSlot(7, "24680")).toMatchObject({ ok: true });
    await back.clearSlot(7);
  });

  it("goes offline on disconnect and comes back on connect", async () => {
    const radioId = front.identity.radioId;
    const from = net.recorder.events.length;
    await sim().disconnect(radioId);
    expect(await net.recorder.waitFor(isEvent("availability", radioId), 5_000, from)).toMatchObject({ online: false });
    expect(await front.writeSlot(10, "2468")).toMatchObject({ ok: false, failure: "offline" });
    const from2 = net.recorder.events.length;
    await sim().connect(radioId);
    expect(await net.recorder.waitFor(isEvent("availability", radioId), 5_000, from2)).toMatchObject({ online: true });
    expect(front.isOnline()).toBe(true);
    expect(physical(front, 10)).toBeNull();
  });

  it("counts radio frames per lock", () => {
    const total = sim().frameCount();
    expect(total).toBeGreaterThan(0);
    expect(sim().frameCount(front.identity.radioId) + sim().frameCount(back.identity.radioId)).toBe(total);
  });

  it("tallies each lock's frames by the command inside their encapsulation", async () => {
    const zwave = sim();
    if (!(zwave instanceof ZWaveLockSimulator)) throw new Error("not the simulated Z-Wave network");
    const radioId = front.identity.radioId;
    const before = zwave.framesByCommand(radioId);
    await front.readChecksum();
    const after = zwave.framesByCommand(radioId);
    for (const command of ["UserCodeCCUserCodeChecksumGet", "UserCodeCCUserCodeChecksumReport"]) {
      expect((after[command] ?? 0) - (before[command] ?? 0)).toBe(1);
    }
    // Encrypted under S2, yet tallied by what was asked, not as Security 2 frames.
    expect(after["Security2CCMessageEncapsulation"]).toBeUndefined();
    const tallied = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);
    expect(tallied(after)).toBe(zwave.frameCount(radioId));
    expect(tallied(zwave.framesByCommand(back.identity.radioId))).toBe(zwave.frameCount(back.identity.radioId));
  });

  it("does not keep every frame in memory (the mock records them for assertions)", async () => {
    const controller = (sim() as unknown as { net: { mockController(): MockController } }).net.mockController();
    const f0 = sim().frameCount();
    for (let i = 0; i < 300; i++) await front.readChecksum();
    expect(sim().frameCount() - f0).toBeGreaterThanOrEqual(300); // enough traffic that unbounded recordings would show
    expect(controller.receivedHostMessages.length).toBeLessThanOrEqual(256);
    for (const node of controller.nodes.values()) {
      const recorded = node as unknown as { receivedControllerFrames: unknown[]; sentControllerFrames: unknown[] };
      expect(recorded.receivedControllerFrames.length).toBeLessThanOrEqual(1024);
      expect(recorded.sentControllerFrames.length).toBeLessThanOrEqual(1024);
    }
  });

  it("keeps lock memory and radio ids across a restart without re-interviewing", async () => {
    const before = {
      front: sim().physicalSlots(front.identity.radioId),
      back: sim().physicalSlots(back.identity.radioId),
      ids: [front.identity.radioId, back.identity.radioId],
    };
    await net.driver.stop();

    net = simulatedZWave(data.dir, [FRONT, BACK]);
    const t = Date.now();
    removeLeftoverCacheLocks(data.dir);
    await net.driver.start();
    const locks = await net.recorder.locksReady(2);
    timings["restart until both locks ready"] = Date.now() - t;
    const restartFrames = sim().frameCount();
    timings["frames: first start"] = firstStartFrames;
    timings["frames: restart"] = restartFrames;
    // A full interview reads every slot (2 frames each): 250 slots would be 500+ frames.
    expect(restartFrames).toBeLessThan(40);
    expect(restartFrames * 5).toBeLessThan(firstStartFrames);

    front = locks.find((l) => l.identity.name === "Front door") ?? front;
    back = locks.find((l) => l.identity.name === "Back door") ?? back;
    expect([front.identity.radioId, back.identity.radioId]).toEqual(before.ids);
    expect(sim().physicalSlots(front.identity.radioId)).toEqual(before.front);
    expect(sim().physicalSlots(back.identity.radioId)).toEqual(before.back);
    expect(await front.readSlot(1)).toEqual({ slot: 1, code: "0123" });
    expect(await front.readSlot(3)).toEqual({ slot: 3, code: "1111" });
    expect(front.capabilities().slotCount).toBe(30);
  });

  it("reports an excluded lock as removed, for good", async () => {
    const radioId = back.identity.radioId;
    const from = net.recorder.events.length;
    await sim().remove(radioId);
    expect(await net.recorder.waitFor(isEvent("lock_removed", radioId), 5_000, from)).toBeTruthy();
    expect(net.driver.locks().map((l) => l.identity.radioId)).toEqual([front.identity.radioId]);
    expect(await back.writeSlot(1, "2468")).toMatchObject({ ok: false, failure: "offline" });
    await net.driver.stop();

    net = simulatedZWave(data.dir, [FRONT, BACK]);
    removeLeftoverCacheLocks(data.dir);
    await net.driver.start();
    const locks = await net.recorder.locksReady(1);
    expect(locks.map((l) => l.identity.radioId)).toEqual([front.identity.radioId]);
    expect(() => sim().physicalSlots(radioId)).toThrow(/removed/);
  });
});

describe("createZWaveDriver", () => {
  it("builds a simulated driver with a simulator, and refuses bad serial options by name", () => {
    const logger = recordingLogger();
    const options = { dataDir: "/nonexistent", logger, simulationSeed: "x" };
    const simulated = createZWaveDriver({ ...options, mode: "simulation", locks: [FRONT] });
    expect(simulated.protocol).toBe("zwave");
    expect(simulated.simulator).toBeDefined();
    expect(simulated.locks()).toEqual([]);
    const serial = createZWaveDriver({ ...options, mode: "serial", port: "/dev/ttyACM0", securityKeys: {} });
    expect(serial.simulator).toBeUndefined();
    expect(() =>
      createZWaveDriver({ ...options, mode: "serial", port: "/dev/ttyACM0", securityKeys: { S2_AccessControl: "abc" } }),
    ).toThrow(/S2_AccessControl/);
    expect(() => createZWaveDriver({ ...options, mode: "simulation", locks: [simLock({ name: "x", code_lengths: [3] })] })).toThrow(
      /code length 3/,
    );
  });
});
