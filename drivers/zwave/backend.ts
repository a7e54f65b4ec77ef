// What differs between a real Z-Wave stick and the simulated network, seen from driver.ts.
import type { Driver, ZWaveNode } from "zwave-js";
import type { LockSimulator, PairingSimulator } from "../contract.js";
import type { LockProfile } from "./lock-handle.js";

export interface ZWaveBackend {
  /** Starts zwave-js; resolves once it emitted "driver ready" (nodes may still be interviewing). */
  open(): Promise<Driver>;
  /** Identity details of a node that supports User Code CC. */
  profileFor(node: ZWaveNode): LockProfile;
  /** Runs after zwave-js was destroyed: flush and tear down whatever the backend owns. */
  close(): Promise<void>;
  /** Upper bound of one LockHandle call, in ms. */
  readonly commandTimeoutMs: number;
  readonly simulator?: LockSimulator;
  /** Factory-new locks and pairing buttons (simulation only). */
  readonly pairingSimulator?: PairingSimulator;
}

/** "zwave:<home id, 8 lowercase hex digits>:<node id>": stable as long as the network is. */
export function radioIdOf(homeId: number, nodeId: number): string {
  return `zwave:${(homeId >>> 0).toString(16).padStart(8, "0")}:${nodeId}`;
}

/** The node id in a radio id of the network `homeId`, or null. */
export function nodeIdOfRadioId(homeId: number, radioId: string): number | null {
  const prefix = `${radioIdOf(homeId, 0).slice(0, -1)}`;
  if (!radioId.startsWith(prefix)) return null;
  const id = Number(radioId.slice(prefix.length));
  return Number.isInteger(id) && id > 0 ? id : null;
}
