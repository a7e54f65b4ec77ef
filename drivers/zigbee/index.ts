// Public surface of the Zigbee driver. Everything else in drivers/zigbee is internal.
import type { LockDriver } from "../contract.js";
import { ZigbeeDriver } from "./driver.js";
import type { ZigbeeDriverOptions } from "./options.js";
import type { ZigbeeLockSimulator } from "./sim/network.js";

export type {
  ZigbeeAdapterType,
  ZigbeeDriverOptions,
  ZigbeeSerialOptions,
  ZigbeeSimulatedLockConfig,
  ZigbeeSimulatedQuirks,
  ZigbeeSimulationOptions,
  ZigbeeTuning,
} from "./options.js";
export type { ZigbeeLockSimulator } from "./sim/network.js";

/** A LockDriver whose `simulator` (simulation mode only) also exposes Zigbee-only hooks. */
export type ZigbeeLockDriver = LockDriver & { readonly simulator?: ZigbeeLockSimulator };

/**
 * The Zigbee lock driver: zigbee-herdsman on a real coordinator (`mode: "serial"`), or the real herdsman
 * Controller on a simulated coordinator with virtual Door Locks (`mode: "simulation"`).
 * Throws on invalid serial options (channel, PAN id, network key).
 */
export function createZigbeeDriver(options: ZigbeeDriverOptions): ZigbeeLockDriver {
  return new ZigbeeDriver(options);
}
