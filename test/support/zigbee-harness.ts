// Test harness for the Zigbee driver in simulation mode: a temp data dir per test, a logger that keeps
// every line (to assert no PIN is ever logged), and helpers to wait for driver events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DriverEvent, DriverLogger, LockHandle } from "../../drivers/contract.js";
import { createZigbeeDriver, type ZigbeeLockDriver, type ZigbeeSimulatedLockConfig } from "../../drivers/zigbee/index.js";

export interface LogLine {
  readonly level: string;
  readonly obj: object;
  readonly msg: string | undefined;
}

export function recordingLogger(lines: LogLine[]): DriverLogger {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export function zigbeeLock(overrides: Partial<ZigbeeSimulatedLockConfig> = {}): ZigbeeSimulatedLockConfig {
  return {
    protocol: "zigbee",
    name: "Back door",
    slots: 20,
    code_lengths: [4, 5, 6, 7, 8],
    checksum: false,
    native_scheduling: false,
    masked_readback: false,
    battery: true,
    ...overrides,
  };
}

export class ZigbeeHarness {
  readonly dataDir = mkdtempSync(path.join(tmpdir(), "lockbridge-zigbee-"));
  readonly logs: LogLine[] = [];
  readonly events: DriverEvent[] = [];
  driver: ZigbeeLockDriver | null = null;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly locks: readonly ZigbeeSimulatedLockConfig[],
    private readonly seed = "hub-under-test",
    private readonly commandTimeoutMs = 400,
  ) {}

  /** Starts a driver on this harness's data dir and waits until every simulated lock is ready. */
  async start(): Promise<ZigbeeLockDriver> {
    const driver = createZigbeeDriver({
      mode: "simulation",
      locks: this.locks,
      dataDir: this.dataDir,
      logger: recordingLogger(this.logs),
      simulationSeed: this.seed,
      commandTimeoutMs: this.commandTimeoutMs,
    });
    driver.onEvent((event) => {
      this.events.push(event);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.driver = driver;
    await driver.start();
    const expected = this.locks.filter((l) => l.protocol === "zigbee").length;
    // Locks paired at run time come back too (>=).
    await this.waitFor(() => driver.locks().length >= expected, 10_000, "every lock ready");
    return driver;
  }

  async stop(): Promise<void> {
    await this.driver?.stop();
    this.driver = null;
  }

  async restart(): Promise<ZigbeeLockDriver> {
    await this.stop();
    this.events.length = 0;
    return this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  lock(index = 0): LockHandle {
    const lock = this.driver?.locks()[index];
    if (!lock) throw new Error(`no lock ${index}`);
    return lock;
  }

  lockNamed(name: string): LockHandle {
    const lock = this.driver?.locks().find((l) => l.identity.name === name);
    if (!lock) throw new Error(`no lock named ${name}`);
    return lock;
  }

  get simulator() {
    const simulator = this.driver?.simulator;
    if (!simulator) throw new Error("not a simulated driver");
    return simulator;
  }

  /** Resolves when `predicate` holds (checked on every driver event and every 20 ms). */
  async waitFor(predicate: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async nextEvent<T extends DriverEvent["type"]>(type: T, match: (e: Extract<DriverEvent, { type: T }>) => boolean = () => true, timeoutMs = 3000): Promise<Extract<DriverEvent, { type: T }>> {
    const find = () => this.events.find((e): e is Extract<DriverEvent, { type: T }> => e.type === type && match(e as Extract<DriverEvent, { type: T }>));
    await this.waitFor(() => find() !== undefined, timeoutMs, `event ${type}`);
    const found = find();
    if (!found) throw new Error(`no ${type} event`);
    return found;
  }

  /** Every logged line as text, to assert that no PIN leaked into the logs. */
  logText(): string {
    return this.logs.map((l) => `${l.msg ?? ""} ${JSON.stringify(l.obj)}`).join("\n");
  }
}
