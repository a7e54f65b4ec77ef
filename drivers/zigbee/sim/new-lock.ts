// Factory-new simulated Zigbee locks (/hub/simulate/new_lock): what one is made of, and its install code.
import { randomBytes } from "node:crypto";
import { ZSpec } from "zigbee-herdsman";
import { PairingError, type NewSimulatedLock } from "../../contract.js";
import { newLockModel } from "../../sim/new-lock-model.js";
import type { ZigbeeSimulatedLockConfig } from "../options.js";

const DEFAULT_SLOTS = 20;
const DEFAULT_CODE_LENGTHS = [4, 5, 6, 7, 8];

/** The config of a factory-new lock; refuses what a Zigbee lock cannot be (PairingError "unsupported"). */
export function newLockConfig(spec: NewSimulatedLock): ZigbeeSimulatedLockConfig {
  if (spec.protocol !== "zigbee") throw new PairingError("unsupported", "this is the Zigbee simulation");
  if (spec.security !== undefined || spec.smart_start !== undefined) throw new PairingError("unsupported", "security and smart_start are Z-Wave options; a Zigbee lock joins with the network key (and its install code)");
  const lock = newLockModel("zigbee", spec, { slots: DEFAULT_SLOTS, maxSlots: 1000, codeLengths: DEFAULT_CODE_LENGTHS, limitNote: "on a simulated Zigbee lock" });
  return { protocol: "zigbee", name: spec.name, ...lock, code_lengths: [...lock.code_lengths] };
}

/** A Zigbee install code as printed: 16 random bytes and their CRC-16/X-25, little-endian. */
export function makeInstallCode(): Buffer {
  const code = randomBytes(16);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(ZSpec.Utils.crc16X25(code));
  return Buffer.concat([code, crc]);
}

/** The label's install code in the pipe-separated form zigbee-herdsman's addInstallCode parses: <ieee>|<code with CRC>. */
export const installCodeLabel = (ieee: string, code: Buffer): string => `${ieee.slice(2)}|${code.toString("hex")}`;
