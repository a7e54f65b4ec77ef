// A real Z-Wave controller on a serial port (or tcp://). zwave-js owns the radio; we only choose
// options that protect the locks: never let the first interview wipe their codes, keep the
// cache under the hub's data directory, keep zwave-js's own logs out of ours. Each open() is a new
// zwave-js Driver; driver.ts opens again when zwave-js gives up on the controller.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { CommandClasses } from "@zwave-js/core";
import { Driver, type PartialZWaveOptions, type ZWaveNode } from "zwave-js";
import type { DriverLogger } from "../contract.js";
import type { ZWaveBackend } from "./backend.js";
import type { LockProfile } from "./lock-handle.js";
import {
  DEFAULT_REAL_LOCK_CODE_LENGTHS,
  normaliseCodeLengths,
  parseSecurityKeys,
  type ParsedSecurityKeys,
  type ZWaveSerialOptions,
} from "./options.js";
import { waitForDriverReady } from "./driver-ready.js";
import { stopSmartStartBeforeDestroy } from "./zwave-js-quirks.js";

const DEFAULT_COMMAND_TIMEOUT_MS = 15_000;
/** Controller identification on a big network can take a while; the interviews come later. */
const DRIVER_READY_TIMEOUT_MS = 120_000;

export class SerialBackend implements ZWaveBackend {
  readonly commandTimeoutMs: number;
  private readonly codeLengths: readonly number[];
  private readonly securityKeys: ParsedSecurityKeys;

  constructor(
    private readonly options: ZWaveSerialOptions & { readonly dataDir: string },
    private readonly logger: DriverLogger,
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.codeLengths = normaliseCodeLengths(options.codeLengths ?? DEFAULT_REAL_LOCK_CODE_LENGTHS, "zwave.code_lengths");
    // Validated here so a bad key stops the hub at start-up with the key's name.
    this.securityKeys = parseSecurityKeys(options.securityKeys);
    if (!options.port) throw new Error("zwave.port must name the controller's serial port");
  }

  async open(): Promise<Driver> {
    const cacheDir = path.join(this.options.dataDir, "zwave-cache");
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    const level = this.options.zwaveLogLevel;
    const zwaveOptions: PartialZWaveOptions = {
      securityKeys: this.securityKeys,
      // Without this, the first interview of a lock CLEARS every user code on it.
      interview: { queryAllUserCodes: true },
      // One try at (re)opening the port: a controller that went away is reopened by the driver's own
      // backoff (driver.ts), which also takes its locks offline meanwhile, instead of ten silent tries
      // 1 s apart. The option is zwave-js's internal one (not in its public type); the serial-path test
      // checks that locks go offline within seconds, so an upgrade that drops it fails loudly.
      attempts: { openSerialPort: 1 } as PartialZWaveOptions["attempts"],
      storage: { cacheDir, ...(this.options.lockDir ? { lockDir: this.options.lockDir } : {}) },
      logConfig: level
        ? { enabled: true, level, logToFile: true, forceConsole: false, filename: path.join(this.options.dataDir, "zwave-logs", "zwavejs_%DATE%.log") }
        : { enabled: false },
    };
    const driver = new Driver(this.options.port, zwaveOptions);
    const wait = waitForDriverReady(driver, DRIVER_READY_TIMEOUT_MS, this.logger);
    try {
      await driver.start();
      await wait.ready;
    } catch (e) {
      wait.cancel();
      await stopSmartStartBeforeDestroy(driver);
      await driver.destroy().catch(() => undefined);
      throw e;
    }
    return driver;
  }

  profileFor(node: ZWaveNode): LockProfile {
    const manufacturer = node.deviceConfig?.manufacturer ?? null;
    const model = node.deviceConfig?.label ?? null;
    const name = node.name || [manufacturer, model].filter((s) => s).join(" ") || `Z-Wave lock ${node.id}`;
    return {
      name,
      manufacturer,
      model,
      simulated: false,
      // Locks are FLiRS or sleeping: not "listening" and usually with Battery CC.
      isBattery: node.supportsCC(CommandClasses.Battery) || node.isListening === false,
      codeLengths: this.codeLengths,
    };
  }

  async close(): Promise<void> {
    // zwave-js owns the port and closed it in destroy().
  }
}
