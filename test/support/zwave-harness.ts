// Test helpers for the Z-Wave driver: a recording logger, an event recorder with bounded waits,
// and a simulated driver on a temp data directory.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DriverEvent, DriverLogger, LockDriver, LockHandle, SimulatedLockConfig } from "../../drivers/contract.js";
import { ZWaveLockDriver } from "../../drivers/zwave/driver.js";
import { ZWaveSimulation } from "../../drivers/zwave/sim/network.js";

export interface LogEntry {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly obj: object;
  readonly msg: string | undefined;
}

export function recordingLogger(): DriverLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj, msg });
    };
  return { entries, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export class EventRecorder {
  readonly events: DriverEvent[] = [];
  private readonly waiters = new Set<() => void>();

  readonly listener = (event: DriverEvent): void => {
    this.events.push(event);
    for (const wake of this.waiters) wake();
  };

  /** Resolves with the first recorded event (from index `from`) matching, or rejects after `ms`. */
  waitFor<T extends DriverEvent>(match: (e: DriverEvent) => e is T, ms?: number, from?: number): Promise<T>;
  waitFor(match: (e: DriverEvent) => boolean, ms?: number, from?: number): Promise<DriverEvent>;
  waitFor(match: (e: DriverEvent) => boolean, ms = 5_000, from = 0): Promise<DriverEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(from).find(match);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`no matching driver event within ${ms} ms; got: ${this.events.map((e) => e.type).join(", ")}`));
      }, ms);
      this.waiters.add(wake);
      check();
    });
  }

  /** Waits until `count` lock_ready events arrived (from index `from`); returns their locks. */
  async locksReady(count: number, ms = 15_000, from = 0): Promise<LockHandle[]> {
    const ready = (): LockHandle[] =>
      this.events.slice(from).flatMap((e) => (e.type === "lock_ready" ? [e.lock] : []));
    await this.waitFor(() => ready().length >= count, ms, from);
    return ready();
  }
}

export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "lockbridge-zwave-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function simLock(overrides: Partial<SimulatedLockConfig> & Pick<SimulatedLockConfig, "name">): SimulatedLockConfig {
  return {
    protocol: "zwave",
    slots: 20,
    code_lengths: [4, 5, 6, 7, 8],
    checksum: false,
    native_scheduling: false,
    masked_readback: false,
    battery: true,
    ...overrides,
  };
}

export interface SimulatedZWave {
  readonly driver: LockDriver;
  readonly recorder: EventRecorder;
  readonly logger: ReturnType<typeof recordingLogger>;
  /** The backend, for tests that play a lock doing what the LockSimulator API does not cover. */
  readonly simulation: ZWaveSimulation;
}

/**
 * Creates (not starts) a simulated driver with a recorder attached. Built from the same two parts
 * createZWaveDriver() joins, so tests can reach the mock nodes.
 */
export function simulatedZWave(dataDir: string, locks: SimulatedLockConfig[], seed = "test-hub"): SimulatedZWave {
  const logger = recordingLogger();
  const recorder = new EventRecorder();
  const simulation = new ZWaveSimulation({ mode: "simulation", dataDir, simulationSeed: seed, locks }, logger);
  const driver = new ZWaveLockDriver(simulation, logger);
  driver.onEvent(recorder.listener);
  return { driver, recorder, logger, simulation };
}
