import path from "node:path";
import type { LockDriver, SimulatedLockConfig } from "../drivers/contract.js";
import type { HubConfig } from "./config/schema.js";
import type { Logger } from "./log.js";

/**
 * Build the radio drivers the config asks for: real controllers and/or simulated networks.
 * Radio stacks are imported only when used: an all-Z-Wave hub never loads zigbee-herdsman (RSS on a Pi).
 */
export async function createDrivers(config: HubConfig, logger: Logger): Promise<LockDriver[]> {
  const drivers: LockDriver[] = [];
  const sims = (config.simulation?.locks ?? []) as SimulatedLockConfig[];
  const radioTime = config.simulation?.radio_time ?? "instant";
  const base = (radio: string) => ({ logger: logger.child({ radio }), simulationSeed: config.hub_id });
  const zwaveSims = sims.filter((l) => l.protocol === "zwave");
  const zigbeeSims = sims.filter((l) => l.protocol === "zigbee");
  const { createZWaveDriver } = config.zwave || zwaveSims.length ? await import("../drivers/zwave/index.js") : { createZWaveDriver: null };
  const { createZigbeeDriver } = config.zigbee || zigbeeSims.length ? await import("../drivers/zigbee/index.js") : { createZigbeeDriver: null };
  if (config.zwave && createZWaveDriver) {
    drivers.push(createZWaveDriver({ ...base("zwave"), dataDir: path.join(config.data_dir, "zwave"), mode: "serial", port: config.zwave.port, securityKeys: config.zwave.security_keys }));
  } else if (zwaveSims.length && createZWaveDriver) {
    drivers.push(createZWaveDriver({ ...base("zwave"), dataDir: path.join(config.data_dir, "sim-zwave"), mode: "simulation", locks: zwaveSims, radioTime }));
  }
  if (config.zigbee && createZigbeeDriver) {
    drivers.push(
      createZigbeeDriver({
        ...base("zigbee"),
        dataDir: path.join(config.data_dir, "zigbee"),
        mode: "serial",
        port: config.zigbee.port,
        adapter: config.zigbee.adapter,
        channel: config.zigbee.channel,
        panId: config.zigbee.pan_id,
        networkKey: config.zigbee.network_key,
        permitJoin: config.zigbee.permit_join,
      }),
    );
  } else if (zigbeeSims.length && createZigbeeDriver) {
    drivers.push(createZigbeeDriver({ ...base("zigbee"), dataDir: path.join(config.data_dir, "sim-zigbee"), mode: "simulation", locks: zigbeeSims, radioTime }));
  }
  return drivers;
}
