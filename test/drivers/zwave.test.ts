// The Z-Wave driver against the REAL zwave-js driver and zwave-js's published mock controller and
// mock nodes (drivers/zwave/simulation.ts). One simulated network is shared by the tests in order
// (start-up costs ~2 s), then restarted on the same data directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RadioError, type DriverEvent, type LockHandle } from "../../drivers/contract.js";
import { EventRecorder, simLock, simulatedZWave, tempDataDir, type SimulatedZWave } from "../support/zwave-harness.js";

const FRONT = simLock({ name: "Front door", slots: 30, checksum: true, native_scheduling: true, battery: true });
const BACK = simLock({ name: "Back door", slots: 20, code_lengths: [4, 5, 6], battery: false });

/** Every PIN used below: none may ever appear in a log entry. */
const PINS = ["0123", "98765", "4321", "1111", "2468", "13579", "555666", "7777", "8080", "24680"];

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
});
