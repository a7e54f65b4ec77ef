// One benchmark measurement per process (fair memory and JIT state). Prints one JSON line.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { profiled } from "./profile.js";
import { DoorLockMode, UserIDStatus, type Driver } from "zwave-js";
import type { RadioTimeSetting, SimulatedLockConfig } from "../../drivers/contract.js";
import { ZWaveSimulation } from "../../drivers/zwave/sim/network.js";
import { ZWaveLockSimulator } from "../../drivers/zwave/sim/lock-simulator.js";
import { ManualClock } from "../support/manual-clock.js";
import { benchConfig, startInproc, uniqueCodes, unsettled, type BenchLock } from "./inproc.js";
import { peakRssMb, percentile, steadyRss } from "./stats.js";
import { uiModes } from "./ui.js";
import { pairingModes } from "./pairing.js";
import { zigbeeHub, zwaveDirect, zwaveHub } from "./radio.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sim = (slots: number, over: Partial<SimulatedLockConfig> = {}): SimulatedLockConfig => ({
  protocol: "zwave",
  name: "Bench",
  slots,
  code_lengths: [4, 5, 6, 7, 8],
  checksum: true,
  native_scheduling: false,
  masked_readback: false,
  battery: true,
  ...over,
});

/**
 * A lock's request frames (both directions) by why they were sent, from the simulator's tally by
 * inner command: the code check (User Code CC), zwave-js's ping of a FLiRS node resumed from cache
 * (No Operation), the S2 nonce exchange before the first encrypted command, the bolt read of
 * protocol.md §8 (Door Lock CC), and anything else by name. Round trips are the hub's Gets.
 */
function framesByCause(tally: Record<string, number>) {
  const sum = (match: (command: string) => boolean) => Object.entries(tally).reduce((n, [command, frames]) => n + (match(command) ? frames : 0), 0);
  const codeCheck = (c: string) => c.startsWith("UserCodeCC");
  const ping = (c: string) => c === "NoOperationCC";
  const nonce = (c: string) => /^Security2?CCNonce/.test(c);
  const stateRead = (c: string) => c.startsWith("DoorLockCC");
  const other = Object.fromEntries(Object.entries(tally).filter(([c]) => ![codeCheck, ping, nonce, stateRead].some((m) => m(c))));
  return {
    codeCheck: sum(codeCheck),
    codeCheckRoundTrips: sum((c) => codeCheck(c) && c.endsWith("Get")),
    ping: sum(ping),
    nonce: sum(nonce),
    stateRead: sum(stateRead),
    other: Object.values(other).reduce((a, b) => a + b, 0),
    otherCommands: Object.keys(other).join(", "),
    tally,
  };
}

/** The frames counted between two tallies of one lock. */
function tallySince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([c, n]) => (n - (before[c] ?? 0) > 0 ? [[c, n - (before[c] ?? 0)]] : [])));
}

async function bareZwave(locks: SimulatedLockConfig[], radioTime: RadioTimeSetting = "instant"): Promise<{ driver: Driver; close: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "lb-bare-"));
  const net = new ZWaveSimulation({ mode: "simulation", locks, dataDir: dir, simulationSeed: "bench", radioTime }, quiet);
  const driver = await net.open();
  const t0 = Date.now();
  while (![...driver.controller.nodes.values()].filter((n) => n.id !== 1).every((n) => n.ready) || driver.controller.nodes.size < locks.length + 1) {
    if (Date.now() - t0 > 300_000) throw new Error("bare zwave-js: nodes not ready");
    await new Promise((r) => setTimeout(r, 20));
  }
  return { driver, close: async () => (await net.close(), rmSync(dir, { recursive: true, force: true })) };
}

async function setAll(driver: Driver, nodeId: number, codes: string[]): Promise<void> {
  const uc = driver.controller.nodes.get(nodeId)!.commandClasses["User Code"];
  for (const [i, code] of codes.entries()) await uc.set(i + 1, UserIDStatus.Enabled, code);
}

/** Unlocks per measurement of the lock_door/unlock_door row (each followed by an untimed lock); run.ts sets it. */
const UNLOCKS = Number(process.env.BENCH_UNLOCKS ?? 10);

// Strings only for labels (e.g. the proof kind a lock was recorded with).
type Result = Record<string, number | number[] | string>;

const modes: Record<string, (args: string[]) => Promise<Result>> = {
  ...uiModes,
  ...pairingModes,
  /** Issue 14 row: a direct zwave-js Door Lock Operation Set (unsecured), until its Supervision report. */
  async unlockDirect() {
    const { driver, close } = await bareZwave([sim(10)], "realistic");
    const door = driver.controller.nodes.get(2)!.commandClasses["Door Lock"];
    const samples: number[] = [];
    for (let i = 0; i < UNLOCKS; i++) {
      const t0 = performance.now();
      await door.set(DoorLockMode.Unsecured);
      samples.push(performance.now() - t0);
      await door.set(DoorLockMode.Secured);
    }
    await close();
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), samples };
  },
  /** Issue 14 row: /locks/unlock_door through the router until its action attempt is `success`, same lock. */
  async unlockHub() {
    const h = await startInproc(benchConfig([{ protocol: "zwave", name: "Bench", slots: 10, checksum: true }], undefined, {}, { radio_time: "realistic" }));
    await h.waitLocks(1);
    const device = h.hub.store.locks()[0]!.deviceId;
    const settled = (id: string) => h.waitAll(() => h.hub.store.actionAttempt(id)?.status !== "pending");
    const samples: number[] = [];
    for (let i = 0; i < UNLOCKS; i++) {
      const t0 = performance.now();
      const unlock = await h.call("/locks/unlock_door", { device_id: device });
      await settled(unlock.action_attempt.action_attempt_id as string);
      samples.push(performance.now() - t0);
      if (h.hub.store.actionAttempt(unlock.action_attempt.action_attempt_id as string)?.status !== "success") throw new Error("bench: unlock failed");
      const lock = await h.call("/locks/lock_door", { device_id: device });
      await settled(lock.action_attempt.action_attempt_id as string);
    }
    await h.hub.stop();
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), samples };
  },
  /** Radio time modelled: `zwaveRadio <hub|set|setMany|confirmed> <s2|v1|v1silent> <digits> <codes>` (radio.ts). */
  async zwaveRadio([side, profile, digits, count]) {
    if (profile !== "s2" && profile !== "v1" && profile !== "v1silent") throw new Error(`zwaveRadio: unknown lock profile ${profile}`);
    if (side === "hub") return { ...(await zwaveHub(profile, Number(digits), Number(count))) };
    if (side !== "set" && side !== "setMany" && side !== "confirmed") throw new Error(`zwaveRadio: unknown side ${side}`);
    return { ...(await zwaveDirect(profile, Number(digits), Number(count), side)) };
  },
  /** Radio time modelled: `zigbeeRadio <codes> [profile]`, round trips and time per programmed code. */
  async zigbeeRadio([count, profile]) {
    return { ...(await zigbeeHub(Number(count ?? 20), profile)) };
  },
  /** (a) 250 direct zwave-js User Code set calls on one mock lock. */
  async direct250() {
    const { driver, close } = await bareZwave([sim(250)]);
    const codes = uniqueCodes(250);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await profiled("direct250", () => setAll(driver, 2, codes));
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    await close();
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  },
  /** (a) + (b) 250 codes through the hub's API on the same mock; then per-request overhead, API receipt -> driver call. */
  async hub250() {
    const writes = new Map<string, number>();
    const h = await startInproc(benchConfig([{ protocol: "zwave", name: "Bench", slots: 250, checksum: true }]), { onWrite: (_s, code) => writes.set(code, performance.now()) });
    await h.waitLocks(1);
    const device = h.hub.store.locks()[0]!.deviceId;
    const codes = uniqueCodes(250);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await profiled("hub250", async () => {
      for (const code of codes) await h.call("/access_codes/create", { device_id: device, code });
      await h.waitAll(() => unsettled(h.hub) === 0);
    });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    // Overhead: one request at a time on an idle lock; receipt is the router's entry.
    for (const c of h.hub.store.codes()) await h.call("/access_codes/delete", { access_code_id: c.accessCodeId });
    await h.waitAll(() => h.hub.store.codes().length === 0);
    const receipt = new Map<string, number>();
    const handle = h.hub.router.handle.bind(h.hub.router);
    h.hub.router.handle = (req) => {
      const code = (req.params as { code?: string }).code;
      if (code) receipt.set(code, performance.now());
      return handle(req);
    };
    const samples: number[] = [];

    await profiled("hub250b", async () => {
      for (const code of uniqueCodes(200, 7)) {
        await h.call("/access_codes/create", { device_id: device, code });
        await h.waitAll(() => writes.has(code));
        samples.push(writes.get(code)! - receipt.get(code)!);
        await h.waitAll(() => unsettled(h.hub) === 0);
      }
    });
    samples.sort((a, b) => a - b);
    await h.hub.stop();
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, p50: percentile(samples, 50), p99: percentile(samples, 99), samples };
  },
  /** (c) bare zwave-js with 10 locks x 250 codes. */
  async rssBare() {
    const locks = Array.from({ length: 10 }, (_, i) => sim(250, { name: `L${i}` }));
    const { driver, close } = await bareZwave(locks);
    for (let n = 2; n < 12; n++) await setAll(driver, n, uniqueCodes(250));
    const rss = await steadyRss(process.pid);
    const peak = peakRssMb();
    if (process.env.BENCH_SMAPS) process.stderr.write(`${(await import("./smaps.js")).smapsTop(process.pid)}\n`);
    if (process.env.BENCH_HEAPSNAP) (await import("node:v8")).writeHeapSnapshot(process.env.BENCH_HEAPSNAP);
    await close();
    return { rss, peak };
  },
  /** (c) the compiled hub process with 10 locks x 250 codes; (d) start to API ready with 1000 stored codes. */
  async rssHub() {
    const { HubProcess } = await import("../support/hub-process.js");
    const locks = Array.from({ length: 10 }, (_, i) => ({ protocol: "zwave" as const, name: `L${i}`, slots: 250, code_lengths: [4, 5, 6, 7, 8], checksum: true }));
    const hub = new HubProcess({ locks, direct: true, timing: { failure_after_ms: 3_600_000, delay_warning_after_ms: 3_600_000 } });
    await hub.start(120_000);
    const devices = [...(await hub.devices()).values()];
    const codes = uniqueCodes(250);
    for (const d of devices) for (const code of codes) await hub.post("/access_codes/create", { device_id: d.device_id, code });
    for (;;) {
      const st = await hub.post("/hub/status", {});
      if ((st.body.hub.access_codes.set ?? 0) >= 2500) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const rss = await steadyRss(hub.proc!.pid!);
    const peak = peakRssMb(hub.proc!.pid!);
    await hub.stop();
    // (d) restart on the same data (2500 stored codes) and time spawn -> local API answering.
    const t0 = performance.now();
    await hub.start(60_000);
    const readyMs = performance.now() - t0;
    await hub.cleanup();
    return { rss, peak, readyMs, codes: 2500 };
  },
  /** Issue 3 rows: start-up of an unchanged 250-slot checksum lock vs a full read, each frame by cause; one keypad change. */
  async framesZwave() {
    const cfg = benchConfig([{ protocol: "zwave", name: "Bench", slots: 250, checksum: true }]);
    let h = await startInproc(cfg);
    await h.waitLocks(1);
    const device = h.hub.store.locks()[0]!.deviceId;
    for (const code of uniqueCodes(40)) await h.call("/access_codes/create", { device_id: device, code });
    await h.waitAll(() => unsettled(h.hub) === 0);
    await h.waitAll(() => !h.hub.registry.executor(device)!.checksumPending, 30_000);
    await h.hub.stop();
    h = await startInproc(cfg);
    await h.waitAll(() => (h.hub.registry.executor(device)?.lastVerify ?? null) !== null, 120_000);
    const sim0 = h.hub.drivers[0]!.simulator;
    if (!(sim0 instanceof ZWaveLockSimulator)) throw new Error("bench framesZwave: not the simulated Z-Wave network");
    const radioId = h.hub.store.lock(device)!.radioId;
    const startupFrames = sim0.frameCount(radioId);
    const startup = framesByCause(sim0.framesByCommand(radioId));
    const handle = h.hub.registry.executor(device)!.lockHandle!;
    const tally0 = sim0.framesByCommand(radioId);
    for (let s = 1; s <= 250; s++) await handle.readSlot(s);
    const fullReadFrames = sim0.frameCount(radioId) - startupFrames;
    const fullRead = framesByCause(tallySince(tally0, sim0.framesByCommand(radioId)));
    if (fullRead.codeCheck !== fullReadFrames) throw new Error(`full read: ${fullReadFrames - fullRead.codeCheck} frames besides User Code (${fullRead.otherCommands})`);
    const before = sim0.frameCount(radioId);
    const events0 = h.hub.store.events({ limit: 100_000 }).length;
    await sim0.keypadSetCode(radioId, 200, "864213");
    await h.waitAll(() => h.hub.store.events({ limit: 100_000 }).slice(events0).some((e) => e.eventType === "access_code.unmanaged.created"));
    await new Promise((r) => setTimeout(r, 300));
    const keypadFrames = sim0.frameCount(radioId) - before;
    await h.hub.stop();
    return {
      startupFrames,
      codeCheckFrames: startup.codeCheck,
      codeCheckRoundTrips: startup.codeCheckRoundTrips,
      pingFrames: startup.ping,
      nonceFrames: startup.nonce,
      stateReadFrames: startup.stateRead,
      otherFrames: startup.other,
      otherCommands: startup.otherCommands,
      startupTally: JSON.stringify(startup.tally),
      fullReadFrames,
      fullReadRoundTrips: fullRead.codeCheckRoundTrips,
      keypadFrames,
    };
  },
  /** Idle radio frames over a simulated day for 10 Z-Wave locks (injected clock; default 6 h periodic check). */
  async idleZwave() {
    const clock = new ManualClock(Date.now());
    const locks: BenchLock[] = Array.from({ length: 10 }, (_, i) => ({ protocol: "zwave", name: `L${i}`, slots: 30, checksum: i % 2 === 0 }));
    const h = await startInproc(benchConfig(locks), { clock });
    await h.waitLocks(10);
    await new Promise((r) => setTimeout(r, 1000));
    const sim0 = h.hub.drivers[0]!.simulator!;
    const f0 = sim0.frameCount();
    for (let m = 0; m < 24 * 60; m += 10) {
      clock.advance(10 * 60_000);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const frames = sim0.frameCount() - f0;
    await h.hub.stop();
    return { perHour: frames / 24 };
  },
  /** Issue 5 rows: a 20-slot Zigbee lock: first start and restart frames vs reading every slot; idle frames. */
  async framesZigbee() {
    const cfg = benchConfig([{ protocol: "zigbee", name: "Zig", slots: 20 }]);
    const clock = new ManualClock(Date.now());
    let h = await startInproc(cfg, { clock });
    await h.waitLocks(1);
    const device = h.hub.store.locks()[0]!.deviceId;
    const radioId = h.hub.store.lock(device)!.radioId;
    await new Promise((r) => setTimeout(r, 500));
    const firstStart = h.hub.drivers[0]!.simulator!.frameCount(radioId);
    await h.hub.stop();
    h = await startInproc(cfg, { clock });
    await h.waitAll(() => (h.hub.registry.executor(device)?.lastVerify ?? null) !== null, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const sim0 = h.hub.drivers[0]!.simulator!;
    const restart = sim0.frameCount(radioId);
    const handle = h.hub.registry.executor(device)!.lockHandle!;
    const f0 = sim0.frameCount(radioId);
    for (let s = 1; s <= 20; s++) await handle.readSlot(s);
    const fullRead = sim0.frameCount(radioId) - f0;
    const i0 = sim0.frameCount(radioId);
    for (let m = 0; m < 24 * 60; m += 10) {
      clock.advance(10 * 60_000);
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 500));
    const idlePerHour = (sim0.frameCount(radioId) - i0) / 24;
    await h.hub.stop();
    return { firstStart, restart, fullRead, idlePerHour };
  },
};

// Like the hub's main: a stray rejection inside the mock radio is reported, not fatal.
process.on("unhandledRejection", (reason) => process.stderr.write(`bench: unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`));
const mode = process.argv[2] ?? "";
const fn = modes[mode];
if (!fn) {
  process.stderr.write(`unknown bench mode ${mode}; one of ${Object.keys(modes).join(", ")}\n`);
  process.exit(2);
}
fn(process.argv.slice(3))
  .then((r) => {
    process.stdout.write(`${JSON.stringify({ mode, ...r })}\n`);
    process.exit(0);
  })
  .catch((e: unknown) => {
    process.stderr.write(`bench ${mode} failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });

