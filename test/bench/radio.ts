// Bench rows with radio time modelled (drivers/*/sim/radio-time.ts, "realistic"). The Z-Wave rows run
// the production path: a lock on zwave-js's MockController served over TCP (test/support/
// zwave-tcp-bridge.ts), reached by the hub through SerialBackend (`zwave.port: tcp://`) or by a bare
// zwave-js Driver for the baseline. Locks are interviewed and synced with instant radio time (not
// measured: 250 slots at a beam each would take ten minutes), then the air turns realistic.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { CommandClasses } from "@zwave-js/core";
import { UserIDStatus, type Driver, type ZWaveNode } from "zwave-js";
import { fitsOneWrite, type SimulatedLockConfig } from "../../drivers/contract.js";
import { userCodePayloadBudget } from "../../drivers/zwave/frame-budget.js";
import type { ZigbeeLockSimulator } from "../../drivers/zigbee/sim/network.js";
import { SerialBackend } from "../../drivers/zwave/serial-backend.js";
import { INSTANT_ZWAVE_RADIO_TIME, REALISTIC_ZWAVE_RADIO_TIME } from "../../drivers/zwave/sim/radio-time.js";
import { TEST_SECURITY_KEYS, ZWaveTcpBridge, type BridgeLock } from "../support/zwave-tcp-bridge.js";
import { benchConfig, startInproc, uniqueCodes, unsettled } from "./inproc.js";

const KEYS = TEST_SECURITY_KEYS;
const LOCK_NODE = 2;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * The bench's locks: "s2", a battery User Code v2 lock included with S2 Access Control that reports
 * multi-code support; "v1", a User Code v1 lock (no Supervision, no checksum) that reports its RF writes
 * with Access Control "new user code added" as Kwikset, Yale and Schlage v1 models do; "v1silent", the same
 * lock reporting nothing (docs/benchmarks.md, row f).
 */
export type ZWaveBenchProfile = "s2" | "v1" | "v1silent";

/** How the baseline writes: one `set` per slot, `setMany` batches of the hub's sizes, or `set` plus a verifying `get`. */
export type DirectMode = "set" | "setMany" | "confirmed";

function benchLock(profile: ZWaveBenchProfile, slots: number): BridgeLock {
  const s2 = profile === "s2";
  const config: SimulatedLockConfig = {
    protocol: "zwave",
    name: s2 ? "S2 battery lock" : "User Code v1 lock",
    slots,
    code_lengths: [4, 5, 6, 7, 8],
    checksum: s2,
    native_scheduling: false,
    masked_readback: false,
    battery: true,
    multi_code: s2,
  };
  // A v1 lock is of the S0 generation; an insecure one would never become a lock of the hub's (protocol.md §7).
  return s2 ? { config, security: "S2_AccessControl", userCodeVersion: 2 } : { config, security: "S0_Legacy", userCodeVersion: 1, reportsWrites: profile === "v1" };
}

async function withBridge<T>(profile: ZWaveBenchProfile, slots: number, work: (bridge: ZWaveTcpBridge, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), "lb-radio-"));
  const bridge = await new ZWaveTcpBridge({ dataDir: path.join(dir, "stick"), securityKeys: KEYS, locks: [benchLock(profile, slots)] }).start();
  try {
    return await work(bridge, dir);
  } finally {
    await bridge.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a measured burst cost on the air. */
interface RadioRun {
  ms: number;
  beams: number;
  codes: number;
}

async function measured(bridge: ZWaveTcpBridge, codes: number, burst: () => Promise<void>): Promise<RadioRun> {
  bridge.radioTime.set(REALISTIC_ZWAVE_RADIO_TIME);
  const beams0 = bridge.radioTime.beamCount;
  const t0 = performance.now();
  await burst();
  const ms = performance.now() - t0;
  const beams = bridge.radioTime.beamCount - beams0;
  bridge.radioTime.set(INSTANT_ZWAVE_RADIO_TIME);
  return { ms, beams, codes };
}

/**
 * Consecutive slots cut into batches the way the hub sizes them: as many codes as fit the frame budget zwave-js
 * gives this node (frame-budget.ts), a count byte and 4 bytes per code plus its digits.
 */
function batchesOf(driver: Driver, node: ZWaveNode, codes: readonly string[]): Array<Array<{ slot: number; code: string }>> {
  const limits = { budgetBytes: userCodePayloadBudget(driver, node, { supervised: node.supportsCC(CommandClasses.Supervision) }), batchBytes: 1, codeBytes: 4, maxCodes: 255 };
  const batches: Array<Array<{ slot: number; code: string }>> = [];
  let batch: Array<{ slot: number; code: string }> = [];
  for (const [i, code] of codes.entries()) {
    if (batch.length && !fitsOneWrite(limits, [...batch.map((b) => b.code), code])) {
      batches.push(batch);
      batch = [];
    }
    batch.push({ slot: i + 1, code });
  }
  if (batch.length) batches.push(batch);
  return batches;
}

/**
 * Baseline: `codes` straight on the zwave-js node, as `mode` says: one User Code `set` per slot; `setMany`
 * with batches of the sizes the hub sends; or `set` then a `get` of the slot, the confirmed write zwave-js's
 * own value API makes (its setValue for a user code always schedules that verifying poll).
 */
export async function zwaveDirect(profile: ZWaveBenchProfile, digits: number, count: number, mode: DirectMode = "set"): Promise<RadioRun> {
  return withBridge(profile, count, async (bridge, dir) => {
    const backend = new SerialBackend({ mode: "serial", port: bridge.url, securityKeys: KEYS, dataDir: path.join(dir, "direct") }, quiet);
    const zwave = await backend.open();
    try {
      const node = zwave.controller.nodes.get(LOCK_NODE) as ZWaveNode;
      if (!node.ready) await new Promise((resolve) => node.once("ready", resolve));
      const codes = uniqueCodes(count, digits);
      const batches = mode === "setMany" ? batchesOf(zwave, node, codes) : [];
      return await measured(bridge, count, async () => {
        const api = node.commandClasses["User Code"];
        if (mode === "setMany") {
          for (const batch of batches) await api.setMany(batch.map((b) => ({ userId: b.slot, userIdStatus: UserIDStatus.Enabled as const, userCode: b.code })));
          return;
        }
        for (const [i, code] of codes.entries()) {
          await api.set(i + 1, UserIDStatus.Enabled, code);
          if (mode === "confirmed") await api.get(i + 1);
        }
      });
    } finally {
      await zwave.destroy();
    }
  });
}

/** The hub: `codes` /access_codes/create through the router, until every code is `set` (confirmed by the lock). */
export async function zwaveHub(profile: ZWaveBenchProfile, digits: number, count: number): Promise<RadioRun> {
  return withBridge(profile, count, async (bridge, dir) => {
    mkdirSync(path.join(dir, "hub"), { mode: 0o700 });
    const config = benchConfig([], path.join(dir, "hub"), { failure_after_ms: 3_600_000, delay_warning_after_ms: 3_600_000 }, { zwave: { port: bridge.url, security_keys: KEYS } });
    const h = await startInproc(config);
    try {
      await h.waitLocks(1);
      const device = h.hub.store.locks()[0]!.deviceId;
      const codes = uniqueCodes(count, digits);
      return await measured(bridge, count, async () => {
        for (const code of codes) await h.call("/access_codes/create", { device_id: device, code });
        await h.waitAll(() => unsettled(h.hub) === 0, 3_600_000);
      });
    } finally {
      await h.hub.stop();
    }
  });
}

/** What one Zigbee run cost on the air. */
export interface ZigbeeRun {
  ms: number;
  /** Commands the coordinator sent the lock per code: each is answered, a round trip. */
  roundTripsPerCode: number;
  /** Frames both ways per code (an unsolicited programming event is one frame, not a round trip). */
  framesPerCode: number;
  codes: number;
  /** How the lock's writes were proven, as the hub recorded it for the lock. */
  proof: string;
}

/**
 * Zigbee with radio time: radio round trips and time per programmed code, hub through the router, on the
 * default simulated lock or a lock model (`profile`, drivers/sim/profiles).
 */
export async function zigbeeHub(count: number, profile?: string): Promise<ZigbeeRun> {
  const lock = { protocol: "zigbee" as const, name: "Zigbee lock", slots: count, ...(profile ? { profile } : {}) };
  const config = benchConfig([lock], undefined, { failure_after_ms: 3_600_000, delay_warning_after_ms: 3_600_000 }, { radio_time: "realistic" });
  const h = await startInproc(config);
  try {
    await h.waitLocks(1);
    const record = h.hub.store.locks()[0]!;
    const sim = h.hub.drivers[0]!.simulator as ZigbeeLockSimulator;
    const f0 = sim.frameCount(record.radioId);
    const c0 = sim.commandCount(record.radioId);
    const t0 = performance.now();
    for (const code of uniqueCodes(count, 6)) await h.call("/access_codes/create", { device_id: record.deviceId, code });
    await h.waitAll(() => unsettled(h.hub) === 0, 3_600_000);
    const ms = performance.now() - t0;
    return {
      ms,
      roundTripsPerCode: (sim.commandCount(record.radioId) - c0) / count,
      framesPerCode: (sim.frameCount(record.radioId) - f0) / count,
      codes: count,
      proof: h.hub.store.lock(record.deviceId)?.readbackProof ?? "none",
    };
  } finally {
    await h.hub.stop();
    rmSync(config.data_dir, { recursive: true, force: true });
  }
}
