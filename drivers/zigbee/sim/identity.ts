// Radio identities of the simulated network, derived from the hub's seed so that device ids built from
// them ("zigbee:<ieee>") survive restarts and data loss, as a physical lock's address would.
import { createHash } from "node:crypto";

function digest(seed: string, what: string): Buffer {
  return createHash("sha256").update(`lockbridge|zigbee|${seed}|${what}`).digest();
}

/** "0x" + 16 hex digits, herdsman's spelling of an EUI-64. */
function eui64(bytes: Buffer): string {
  return `0x${bytes.subarray(0, 8).toString("hex")}`;
}

export function coordinatorIeee(seed: string): string {
  return eui64(digest(seed, "coordinator"));
}

/** The extended PAN id of the simulated network. */
export function extendedPanId(seed: string): string {
  return eui64(digest(seed, "extended-pan"));
}

/**
 * IEEE and short address of the `index`-th simulated Zigbee lock. Short addresses avoid 0 (the
 * coordinator) and the broadcast range, and are kept distinct within the network.
 */
export function lockAddresses(seed: string, count: number): Array<{ ieee: string; nwk: number }> {
  const used = new Set<number>();
  const addresses: Array<{ ieee: string; nwk: number }> = [];
  for (let index = 0; index < count; index++) {
    const bytes = digest(seed, `lock|${index}`);
    let nwk = 1 + (bytes.readUInt16BE(8) % 0xfff0);
    while (used.has(nwk)) nwk = (nwk % 0xfff0) + 1;
    used.add(nwk);
    addresses.push({ ieee: eui64(bytes), nwk });
  }
  return addresses;
}

/** IEEE and short address of a lock made at run time (/hub/simulate/new_lock), unused in this network. */
export function newLockAddress(seed: string, simId: string, usedNwks: ReadonlySet<number>): { ieee: string; nwk: number } {
  const bytes = digest(seed, `new-lock|${simId}`);
  let nwk = 1 + (bytes.readUInt16BE(8) % 0xfff0);
  while (usedNwks.has(nwk)) nwk = (nwk % 0xfff0) + 1;
  return { ieee: eui64(bytes), nwk };
}
