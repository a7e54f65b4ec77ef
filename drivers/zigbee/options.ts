// Options of the Zigbee driver: a real coordinator on a serial port, or a simulated network that runs
// the real zigbee-herdsman Controller on a simulated coordinator.
import type { DriverOptions, RadioTimeSetting, SimulatedLockConfig } from "../contract.js";

export type ZigbeeAdapterType = "zstack" | "ember" | "deconz" | "zigate" | "zboss";

export interface ZigbeeSerialOptions {
  readonly mode: "serial";
  /** Serial device path, or tcp://host:port for a networked coordinator. */
  readonly port: string;
  readonly adapter: ZigbeeAdapterType;
  /** 11..26 */
  readonly channel: number;
  /** 1..0xFFFE */
  readonly panId: number;
  /** 32 hex digits (16 bytes). */
  readonly networkKey: string;
  /** Open the network for joining (254 s, herdsman's maximum) once started. Default false. */
  readonly permitJoin?: boolean;
}

/**
 * Zigbee-only behaviours of a simulated lock, beyond the radio-neutral SimulatedLockConfig.
 * They model real lock families the driver must cope with.
 */
export interface ZigbeeSimulatedQuirks {
  /** Endpoint carrying the Door Lock cluster. Default: 11 for even lock indexes (Nimly/Onesti layout), 1 otherwise. */
  readonly doorLockEndpoint?: number;
  /** The lock never answers getPinCode (some locks cannot read PINs back at all). */
  readonly ignoresGetPinCode?: boolean;
  /** The lock answers setPinCode with a ZCL Default Response (status FAILURE) instead of setPinCodeRsp. */
  readonly answersSetPinCodeWithDefaultResponse?: boolean;
  /** How a duplicate PIN is refused: setPinCodeRsp status 3 (ZCL), or failure plus genAlarms code 113 (Yale). */
  readonly duplicateReport?: "status" | "alarm";
  /** After a successful RF setPinCode / clearPinCode the lock sends a programming event notification (source RF). */
  readonly programmingEventOnRfChange?: boolean;
}

export type ZigbeeSimulatedLockConfig = SimulatedLockConfig & { readonly zigbee?: ZigbeeSimulatedQuirks };

export interface ZigbeeSimulationOptions {
  readonly mode: "simulation";
  /** Locks of other protocols are ignored, so the hub can pass its whole simulation list. */
  readonly locks: readonly ZigbeeSimulatedLockConfig[];
  /** Poll delays and airtime on the simulated air (sim/radio-time.ts); default "instant". */
  readonly radioTime?: RadioTimeSetting;
}

export interface ZigbeeTuning {
  /** Time one radio command may take before it counts as unanswered. Default 10 s real (and simulated with realistic radio time), 1.5 s simulated. */
  readonly commandTimeoutMs?: number;
}

export type ZigbeeDriverOptions = DriverOptions & ZigbeeTuning & (ZigbeeSerialOptions | ZigbeeSimulationOptions);

export const DEFAULT_REAL_TIMEOUT_MS = 10_000;
export const DEFAULT_SIMULATED_TIMEOUT_MS = 1_500;

/** The network key as herdsman wants it; rejects anything but 32 hex digits so a typo cannot start an open network. */
export function parseNetworkKey(hex: string): number[] {
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new Error("zigbee networkKey must be 32 hex digits (16 bytes)");
  }
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes;
}

export function validateSerialOptions(options: ZigbeeSerialOptions): void {
  if (!Number.isInteger(options.channel) || options.channel < 11 || options.channel > 26) {
    throw new Error(`zigbee channel must be an integer 11..26, got ${options.channel}`);
  }
  if (!Number.isInteger(options.panId) || options.panId < 1 || options.panId > 0xfffe) {
    throw new Error(`zigbee panId must be an integer 1..65534, got ${options.panId}`);
  }
  parseNetworkKey(options.networkKey);
}
