import path from "node:path";
import type { LockDriver, SimulatedLockConfig } from "../drivers/contract.js";
import { createZWaveDriver } from "../drivers/zwave/index.js";
import { createZigbeeDriver } from "../drivers/zigbee/index.js";
import type { HubConfig } from "./config/schema.js";
import type { Logger } from "./log.js";

/** Build the radio drivers the config asks for: real controllers and/or simulated networks. */
export function createDrivers(config: HubConfig, logger: Logger): LockDriver[] {
  const drivers: LockDriver[] = [];
  const sims = (config.simulation?.locks ?? []) as SimulatedLockConfig[];
  const base = (radio: string) => ({ logger: logger.child({ radio }), simulationSeed: config.hub_id });
  const zwaveSims = sims.filter((l) => l.protocol === "zwave");
  const zigbeeSims = sims.filter((l) => l.protocol === "zigbee");
  if (config.zwave) {
    drivers.push(createZWaveDriver({ ...base("zwave"), dataDir: path.join(config.data_dir, "zwave"), mode: "serial", port: config.zwave.port, securityKeys: config.zwave.security_keys }));
  } else if (zwaveSims.length) {
    drivers.push(createZWaveDriver({ ...base("zwave"), dataDir: path.join(config.data_dir, "sim-zwave"), mode: "simulation", locks: zwaveSims }));
  }
  if (config.zigbee) {
    drivers.push(
      createZigbeeDriver({
        ...base("zigbee"),
        dataDir: path.join(config.data_dir, "zigbee"),
        mode: "serial",
        port: config.zigbee.port,
        adapter: config.zigbee.adapter,
        channel: config.zigbee.channel,
        panId: config.zigbee.pan_id,
        networkKey: config.zigbee.network_key ?? "",
        permitJoin: config.zigbee.permit_join,
      }),
    );
  } else if (zigbeeSims.length) {
    drivers.push(createZigbeeDriver({ ...base("zigbee"), dataDir: path.join(config.data_dir, "sim-zigbee"), mode: "simulation", locks: zigbeeSims }));
  }
  return drivers;
}
