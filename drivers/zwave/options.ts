// Options of the Z-Wave driver factory and their validation. Kept apart from the driver so the
// hub's config loader can import the types without pulling zwave-js in.
import type { DriverOptions, RadioTimeSetting, SimulatedLockConfig } from "../contract.js";

/** Network keys as hex strings (32 hex digits = 16 bytes each), as in protocol.md §5 `zwave.security_keys`. */
export interface ZWaveSecurityKeysHex {
  readonly S0_Legacy?: string;
  readonly S2_Unauthenticated?: string;
  readonly S2_Authenticated?: string;
  readonly S2_AccessControl?: string;
}

/** zwave-js's own log levels, for the optional zwave-js log file (it masks user codes itself). */
export type ZWaveJsLogLevel = "error" | "warn" | "info" | "http" | "verbose" | "debug" | "silly";

interface CommonZWaveOptions {
  /**
   * Upper bound for one LockHandle call (a write may be several radio commands). The call then
   * resolves `{ ok:false, failure:"timeout" }` (or rejects with RadioError("timeout")); zwave-js may
   * still be finishing the command in its queue. Default: 15 s on a real stick, 6 s in simulation.
   */
  readonly commandTimeoutMs?: number;
}

export interface ZWaveSerialOptions extends CommonZWaveOptions {
  readonly mode: "serial";
  /** Serial port of the Z-Wave controller, e.g. /dev/serial/by-id/usb-... (or tcp://host:port). */
  readonly port: string;
  readonly securityKeys: ZWaveSecurityKeysHex;
  /**
   * PIN lengths the locks accept. Z-Wave User Code capabilities do not carry lengths, so this is a
   * guess shared by all locks of the network; default 4..8 (what the common Schlage/Yale/Kwikset
   * keypads take). `report_device_constraints` can narrow it per lock in the hub.
   */
  readonly codeLengths?: readonly number[];
  /** When set, zwave-js writes its own log (user codes masked by zwave-js) under dataDir/zwave-logs. */
  readonly zwaveLogLevel?: ZWaveJsLogLevel;
  /** Where zwave-js puts its lock files; default: its cache directory. Point at tmpfs on SD-card hosts. */
  readonly lockDir?: string;
}

export interface ZWaveSimulationOptions extends CommonZWaveOptions {
  readonly mode: "simulation";
  /** Simulated locks of protocol "zwave"; they become node ids 2..n+1 in this order. */
  readonly locks: readonly SimulatedLockConfig[];
  /** Airtime and wake-up beams on the simulated air (sim/radio-time.ts); default "instant". */
  readonly radioTime?: RadioTimeSetting;
  /** Network keys of the simulated network; default: generated once and kept under dataDir (0600). */
  readonly securityKeys?: ZWaveSecurityKeysHex;
}

export type ZWaveDriverOptions = DriverOptions & (ZWaveSerialOptions | ZWaveSimulationOptions);

/** Default PIN lengths for real locks (see ZWaveSerialOptions.codeLengths). */
export const DEFAULT_REAL_LOCK_CODE_LENGTHS: readonly number[] = [4, 5, 6, 7, 8];

/** Z-Wave User Code reports carry 4..10 characters (User Code CC, all versions). */
export const ZWAVE_MIN_CODE_LENGTH = 4;
export const ZWAVE_MAX_CODE_LENGTH = 10;

export type ParsedSecurityKeys = Partial<Record<keyof ZWaveSecurityKeysHex, Uint8Array<ArrayBuffer>>>;

/** Turns the hex keys into the 16-byte buffers zwave-js wants; throws naming the bad key. */
export function parseSecurityKeys(keys: ZWaveSecurityKeysHex): ParsedSecurityKeys {
  const out: ParsedSecurityKeys = {};
  for (const name of ["S0_Legacy", "S2_Unauthenticated", "S2_Authenticated", "S2_AccessControl"] as const) {
    const hex = keys[name];
    if (hex === undefined) continue;
    const clean = hex.trim().replace(/^0x/i, "");
    if (!/^[0-9a-fA-F]{32}$/.test(clean)) {
      throw new Error(`zwave.security_keys.${name} must be 32 hex digits (16 bytes)`);
    }
    out[name] = new Uint8Array(Buffer.from(clean, "hex"));
  }
  return out;
}

/** Validates PIN lengths (ascending, unique, within what Z-Wave carries). */
export function normaliseCodeLengths(lengths: readonly number[], where: string): number[] {
  const sorted = [...new Set(lengths)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error(`${where}: code_lengths must not be empty`);
  for (const n of sorted) {
    if (!Number.isInteger(n) || n < ZWAVE_MIN_CODE_LENGTH || n > ZWAVE_MAX_CODE_LENGTH) {
      throw new Error(
        `${where}: code length ${n} is not possible on Z-Wave (User Code CC carries ${ZWAVE_MIN_CODE_LENGTH}..${ZWAVE_MAX_CODE_LENGTH} characters)`,
      );
    }
  }
  return sorted;
}
