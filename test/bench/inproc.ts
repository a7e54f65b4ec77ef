// An in-process hub on the real simulated radios, for benchmarks that count frames or time hub internals.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LockDriver, LockHandle } from "../../drivers/contract.js";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { createDrivers } from "../../agent/radios.js";
import type { Clock } from "../../agent/util/clock.js";

export interface BenchLock {
  protocol: "zwave" | "zigbee";
  name: string;
  slots: number;
  checksum?: boolean;
  code_lengths?: number[];
  battery?: boolean;
}

/** Codes not yet in a settled state (from the Store's cache: checked after every commit). */
export function unsettled(hub: Hub, status = "set"): number {
  let n = 0;
  for (const lock of hub.store.locks()) for (const c of hub.store.codes({ deviceId: lock.deviceId })) if (c.status !== status) n++;
  return n;
}

export interface InprocHub {
  hub: Hub;
  config: HubConfig;
  call(p: string, params: unknown): Promise<Record<string, any>>;
  waitLocks(n: number): Promise<void>;
  waitAll(pred: () => boolean, ms?: number): Promise<void>;
}

/** `extra`: more of the config file (e.g. `zwave`), and `radio_time` for the simulated locks. */
export function benchConfig(locks: BenchLock[], dir?: string, timing: Record<string, number> = {}, extra: { radio_time?: "instant" | "realistic"; [key: string]: unknown } = {}): HubConfig {
  const dataDir = dir ?? mkdtempSync(path.join(tmpdir(), "lb-bench-"));
  const { radio_time, ...rest } = extra;
  const simulation = { locks, ...(radio_time ? { radio_time } : {}) };
  const parsed = configSchema.parse({ data_dir: dataDir, local_api: { listen: "127.0.0.1:0", api_key: "b".repeat(32) }, simulation, timing, ...rest });
  return { ...parsed, hub_id: "6c1f6f1e-9c1a-4d8e-8f6a-2b1b7a9e0c11", workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: "b".repeat(32) }, configPath: "" };
}

/** Wrap each lock handle's writeSlot, to observe when the hub reaches the driver. */
export function observeWrites(drivers: LockDriver[], onWrite: (slot: number, code: string) => void): LockDriver[] {
  const wrap = (h: LockHandle): LockHandle =>
    new Proxy(h, {
      get(target, prop, receiver) {
        if (prop === "writeSlot") return (slot: number, code: string, sched?: Parameters<LockHandle["writeSlot"]>[2]) => (onWrite(slot, code), target.writeSlot(slot, code, sched));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return drivers.map((d) => {
    const listeners: Array<Parameters<LockDriver["onEvent"]>[0]> = [];
    d.onEvent((e) => {
      const out = e.type === "lock_ready" ? { ...e, lock: wrap(e.lock) } : e;
      for (const l of listeners) l(out);
    });
    return {
      protocol: d.protocol,
      ...(d.simulator ? { simulator: d.simulator } : {}),
      start: () => d.start(),
      stop: () => d.stop(),
      locks: () => d.locks().map(wrap),
      onEvent: (l) => void listeners.push(l),
    } satisfies LockDriver;
  });
}

export interface InprocOptions {
  clock?: Clock;
  onWrite?: (slot: number, code: string) => void;
  /** Sees the drivers the hub runs on (their simulators count frames). */
  onDrivers?: (drivers: LockDriver[]) => void;
}

export async function startInproc(config: HubConfig, opts: InprocOptions = {}): Promise<InprocHub> {
  const logger = createLogger({ level: "silent" });
  const hub = new Hub(config, {
    logger,
    ...(opts.clock ? { clock: opts.clock } : {}),
    drivers: async () => {
      const d = await createDrivers(config, logger);
      opts.onDrivers?.(d);
      return opts.onWrite ? observeWrites(d, opts.onWrite) : d;
    },
  });
  await hub.start();
  // Checked on every commit the hub publishes (as an awaited call would return), with a slow poll as a backstop.
  const waitAll = (pred: () => boolean, ms = 600_000) =>
    new Promise<void>((resolve, reject) => {
      if (pred()) return resolve();
      const done = (err?: Error) => (off(), clearInterval(poll), clearTimeout(limit), err ? reject(err) : resolve());
      const off = hub.bus.on(() => pred() && done());
      const poll = setInterval(() => pred() && done(), 250);
      const limit = setTimeout(() => done(new Error("bench: timed out")), ms);
    });
  return {
    hub,
    config,
    async call(p, params) {
      const r = await hub.router.handle({ path: p, params, door: "http" });
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Record<string, any>;
    },
    waitLocks: (n) => waitAll(() => hub.store.locks().length >= n && hub.store.locks().every((l) => l.slotsSynced && l.online), 120_000),
    waitAll,
  };
}

export const uniqueCodes = (n: number, length = 6): string[] => {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const c = String(135_791 + i * 7919).padStart(length, "0").slice(-length);
    if (!out.includes(c) && new Set(c).size > 1) out.push(c);
  }
  return out;
};
