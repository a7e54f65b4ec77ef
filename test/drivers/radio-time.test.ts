// simulation.radio_time: "realistic" gives the simulated radios the time real locks take (a wake-up
// beam per command to a battery Z-Wave lock, frame airtime, a sleepy Zigbee lock's poll delay);
// "instant", the default every other test runs on, gives none. drivers/*/sim/radio-time.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { createLogger } from "../../agent/log.js";
import { createDrivers } from "../../agent/radios.js";
import type { LockDriver, LockHandle } from "../../drivers/contract.js";
import type { SimNetwork } from "../../drivers/zigbee/sim/network.js";
import { ZigbeeRadioTime, REALISTIC_ZIGBEE_RADIO_TIME } from "../../drivers/zigbee/sim/radio-time.js";
import { ZWaveLockDriver } from "../../drivers/zwave/driver.js";
import { ZWaveSimulation } from "../../drivers/zwave/sim/network.js";
import { INSTANT_ZWAVE_RADIO_TIME, REALISTIC_ZWAVE_RADIO_TIME } from "../../drivers/zwave/sim/radio-time.js";
import { PairingRecorder } from "../support/pairing-recorder.js";
import { EventRecorder, recordingLogger, simLock, tempDataDir } from "../support/zwave-harness.js";

const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
  const t0 = performance.now();
  const result = await work();
  return { result, ms: performance.now() - t0 };
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.useRealTimers();
});

async function zwaveSimulation(radioTime: "instant" | "realistic" | undefined, battery = true) {
  const data = await tempDataDir();
  const logger = recordingLogger();
  const recorder = new EventRecorder();
  const simulation = new ZWaveSimulation(
    { mode: "simulation", dataDir: data.dir, simulationSeed: "radio-time", locks: [simLock({ name: "Door", slots: 2, checksum: true, battery })], ...(radioTime ? { radioTime } : {}) },
    logger,
  );
  const driver = new ZWaveLockDriver(simulation, logger);
  driver.onEvent(recorder.listener);
  cleanups.push(async () => (await driver.stop(), await data.cleanup()));
  await driver.start();
  const [lock] = await recorder.locksReady(1, 120_000);
  return { simulation, driver, recorder, lock: lock! };
}

/** One simulated lock from a hub config with `simulation.radio_time: "realistic"`, through the hub's own radio factory. */
async function realisticFromConfig(lock: Record<string, unknown>): Promise<{ driver: LockDriver; lock: LockHandle }> {
  const data = await tempDataDir();
  const parsed = configSchema.parse({ data_dir: data.dir, simulation: { radio_time: "realistic", locks: [lock] } });
  const config = { ...parsed, hub_id: "7d3f4c2a-1b5e-4f60-8a9b-0c1d2e3f4a5b", workspace_id: "w", connected_account_id: "c", local_api: { listen: "", api_key: "" }, configPath: "" } as HubConfig;
  const [driver] = (await createDrivers(config, createLogger({ level: "silent" }))) as [LockDriver];
  const ready = new Promise<LockHandle>((resolve) => driver.onEvent((e) => e.type === "lock_ready" && resolve(e.lock)));
  cleanups.push(async () => (await driver.stop(), await data.cleanup()));
  await driver.start();
  return { driver, lock: await ready };
}

describe("Z-Wave", () => {
  it("the hub's config turns it on: simulation.radio_time realistic makes a command to a battery lock cost a wake-up beam (>= 1 s)", async () => {
    const { lock } = await realisticFromConfig({ protocol: "zwave", name: "Beamed", slots: 1, checksum: true });
    const write = await timed(() => lock.writeSlot(1, "5821"));
    expect(write.result).toEqual({ ok: true, proof: "supervision" });
    expect(write.ms).toBeGreaterThanOrEqual(REALISTIC_ZWAVE_RADIO_TIME.beamMs["1000ms"]);
    expect(write.ms).toBeLessThan(3_000);
  }, 120_000);

  it("instant, the default: the same command costs no beam", async () => {
    const { simulation, lock } = await zwaveSimulation(undefined);
    expect(simulation.radioTime.model).toEqual(INSTANT_ZWAVE_RADIO_TIME);
    const write = await timed(() => lock.writeSlot(1, "5821"));
    expect(write.result.ok).toBe(true);
    expect(write.ms).toBeLessThan(500);
    expect(simulation.radioTime.beamCount).toBe(0);
  }, 60_000);

  it("one beam per command the hub starts; the lock's own Supervision Report and the ACKs need none; a mains lock none at all", async () => {
    const { simulation, lock } = await zwaveSimulation("instant");
    simulation.radioTime.set(REALISTIC_ZWAVE_RADIO_TIME);
    const beams = () => simulation.radioTime.beamCount;
    let before = beams();
    const write = await timed(() => lock.writeSlot(2, "7391"));
    expect(write.result).toEqual({ ok: true, proof: "supervision" });
    expect(beams() - before).toBe(1);
    expect(write.ms).toBeGreaterThanOrEqual(1_100);
    before = beams();
    const read = await timed(() => lock.readSlot(2));
    expect(read.result).toEqual({ slot: 2, code: "7391" });
    expect(beams() - before).toBe(1);
    // Back to back, as a burst of writes arrives: each command is beamed again.
    before = beams();
    for (const [slot, code] of [[1, "1357"], [2, "2468"]] as const) expect((await lock.writeSlot(slot, code)).ok).toBe(true);
    expect(beams() - before).toBe(2);

    const mains = await zwaveSimulation("instant", false);
    mains.simulation.radioTime.set(REALISTIC_ZWAVE_RADIO_TIME);
    const listening = await timed(() => mains.lock.writeSlot(1, "8642"));
    expect(listening.result.ok).toBe(true);
    expect(mains.simulation.radioTime.beamCount).toBe(0);
    // Request + ACK out, Supervision Report + ACK back: four frames of airtime.
    expect(listening.ms).toBeGreaterThanOrEqual(4 * REALISTIC_ZWAVE_RADIO_TIME.frameMs);
    expect(listening.ms).toBeLessThan(500);
  }, 90_000);

  it("a factory-new lock included at run time is on the same air: its commands are beamed too", async () => {
    const { simulation, driver, recorder } = await zwaveSimulation("instant");
    const pairing = driver.pairing;
    const label = await pairing.simulator!.newLock({ protocol: "zwave", name: "New door", slots: 2, security: "s2" });
    const from = recorder.events.length;
    // The full DSK from the label skips the PIN step.
    await pairing.include({ dsk: label.dsk! }, () => undefined);
    expect(await pairing.simulator!.pressButton({ simId: label.simId })).toBe("joined");
    const [fresh] = await recorder.locksReady(1, 60_000, from);
    expect(fresh!.identity.name).toBe("New door");
    simulation.radioTime.set(REALISTIC_ZWAVE_RADIO_TIME);
    const before = simulation.radioTime.beamCount;
    const write = await timed(() => fresh!.writeSlot(1, "3197"));
    expect(write.result).toEqual({ ok: true, proof: "supervision" });
    expect(simulation.radioTime.beamCount - before).toBe(1);
    expect(write.ms).toBeGreaterThanOrEqual(REALISTIC_ZWAVE_RADIO_TIME.beamMs["1000ms"]);
    // Door Lock comes from the same node factory: the new lock unlocks, and the unlock is beamed as well.
    const unlock = await timed(() => fresh!.setLocked(false));
    expect(unlock.result).toMatchObject({ ok: true });
    expect(simulation.radioTime.beamCount - before).toBe(2);
  }, 120_000);

  it("a lock being included is in learn mode: its S2 bootstrap with the PIN needs no beams; the interview after it is beamed", async () => {
    // Beamed like a sleeping lock, the bootstrap outlasted zwave-js's key-exchange waits: a right PIN failed as wrong.
    const { simulation, driver, recorder } = await zwaveSimulation("realistic");
    const label = await driver.pairing.simulator!.newLock({ protocol: "zwave", name: "New door", slots: 2, security: "s2" });
    const rec = new PairingRecorder();
    const session = await driver.pairing.include({}, rec.listener);
    const from = recorder.events.length;
    const before = simulation.radioTime.beamCount;
    expect(await driver.pairing.simulator!.pressButton({ simId: label.simId })).toBe("joined");
    await rec.next("pin_needed", 30_000);
    session.providePin(label.pin!);
    const joined = await rec.next("joined", 60_000);
    expect(joined.granted).toEqual(["S2_AccessControl"]);
    expect(simulation.radioTime.beamCount - before).toBe(0);
    const [fresh] = await recorder.locksReady(1, 120_000, from);
    expect(simulation.radioTime.beamCount - before).toBeGreaterThan(0);
    const write = await timed(() => fresh!.writeSlot(1, "3197"));
    expect(write.result).toEqual({ ok: true, proof: "supervision" });
    expect(write.ms).toBeGreaterThanOrEqual(REALISTIC_ZWAVE_RADIO_TIME.beamMs["1000ms"]);
  }, 180_000);
});

describe("Zigbee", () => {
  it("a sleepy lock hears a frame at its next poll: long poll when idle, short poll after an exchange; a listening lock at once", () => {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "setImmediate"] });
    vi.setSystemTime(1_000_000_123);
    const { frameMs, longPollMs, shortPollMs } = REALISTIC_ZIGBEE_RADIO_TIME;
    const air = new ZigbeeRadioTime(REALISTIC_ZIGBEE_RADIO_TIME);
    const landed: Array<[string, number]> = [];
    const at = (what: string) => () => landed.push([what, Date.now()]);
    const t0 = Date.now();
    const nextLongPoll = Math.ceil(t0 / longPollMs) * longPollMs;
    air.toDevice("lock", true, at("setPinCode"));
    air.toDevice("mains", false, at("to mains"));
    vi.advanceTimersByTime(nextLongPoll - t0 + frameMs);
    expect(landed).toEqual([
      ["to mains", t0 + frameMs],
      ["setPinCode", nextLongPoll + frameMs],
    ]);
    air.fromDevice("lock", at("setPinCodeRsp"));
    vi.advanceTimersByTime(frameMs);
    // Fast polling now: the read-back waits for the next short poll, not the next long one.
    const t1 = Date.now();
    air.toDevice("lock", true, at("getPinCode"));
    vi.advanceTimersByTime(shortPollMs + frameMs);
    expect(landed.slice(2)).toEqual([
      ["setPinCodeRsp", nextLongPoll + 2 * frameMs],
      ["getPinCode", Math.ceil(t1 / shortPollMs) * shortPollMs + frameMs],
    ]);
  });

  it("the hub's config turns it on for the simulated Zigbee network too", async () => {
    const { driver, lock } = await realisticFromConfig({ protocol: "zigbee", name: "Sleepy", slots: 4 });
    expect((driver.simulator as SimNetwork).radioTime.model).toEqual(REALISTIC_ZIGBEE_RADIO_TIME);
    // Just interviewed, so polling fast: setPinCode and its read-back each wait for a short poll.
    const write = await timed(() => lock.writeSlot(1, "4826"));
    expect(write.result).toEqual({ ok: true, proof: "readback" });
    expect(write.ms).toBeGreaterThanOrEqual(4 * REALISTIC_ZIGBEE_RADIO_TIME.frameMs);
    expect(write.ms).toBeLessThan(2 * REALISTIC_ZIGBEE_RADIO_TIME.shortPollMs + 500);
  }, 60_000);
});
