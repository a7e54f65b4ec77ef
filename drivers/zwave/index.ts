// Public entry of the Z-Wave lock driver (see drivers/contract.ts for what a driver promises).
import type { LockDriver } from "../contract.js";
import { ZWaveLockDriver } from "./driver.js";
import type { ZWaveDriverOptions } from "./options.js";
import { SerialBackend } from "./serial-backend.js";
import { ZWaveSimulation } from "./sim/network.js";

export type {
  ZWaveDriverOptions,
  ZWaveJsLogLevel,
  ZWaveSecurityKeysHex,
  ZWaveSerialOptions,
  ZWaveSimulationOptions,
} from "./options.js";
export { DEFAULT_REAL_LOCK_CODE_LENGTHS } from "./options.js";
export { radioIdOf } from "./backend.js";
export { simulatedHomeId } from "./sim/network.js";

/**
 * Creates the Z-Wave driver. Nothing touches the radio until `start()`.
 * - `mode: "serial"`: a real controller; locks appear via `lock_ready` once interviewed.
 * - `mode: "simulation"`: the real zwave-js driver against zwave-js's mock controller and one mock
 *   lock per config entry; `simulator` is set.
 * Throws (synchronously) on invalid options, naming the bad key.
 */
export function createZWaveDriver(options: ZWaveDriverOptions): LockDriver {
  const backend =
    options.mode === "serial" ? new SerialBackend(options, options.logger) : new ZWaveSimulation(options, options.logger);
  return new ZWaveLockDriver(backend, options.logger);
}
