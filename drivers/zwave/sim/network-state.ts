// What the simulated controller keeps in its non-volatile memory, and what a simulated lock keeps in
// its own: which locks are in the network under which node id with which keys, the next node id to
// hand out, the factory-new locks made at run time (their spec and the private key behind the DSK on
// their label), and the network keys. One file per concern under dataDir/zwave-simulation, written
// atomically; the keys file and the lock file are 0600 (keys, private keys).
import { randomBytes } from "node:crypto";
import path from "node:path";
import { SecurityClass } from "@zwave-js/core";
import { z } from "zod";
import type { DriverLogger, SecurityClassName } from "../../contract.js";
import { readJsonFile, writeJsonFileAtomic } from "../../json-file.js";
import { parseSecurityKeys, type ParsedSecurityKeys, type ZWaveSecurityKeysHex } from "../options.js";

const SECURITY_CLASS_NAMES = ["S2_AccessControl", "S2_Authenticated", "S2_Unauthenticated", "S0_Legacy"] as const satisfies readonly SecurityClassName[];
const securityClassNameSchema = z.enum(SECURITY_CLASS_NAMES);

export function toSecurityClass(name: SecurityClassName): SecurityClass {
  return SecurityClass[name];
}

export function securityClassName(securityClass: SecurityClass): SecurityClassName | null {
  const name = SecurityClass[securityClass];
  return SECURITY_CLASS_NAMES.find((n) => n === name) ?? null;
}

const newLockSchema = z.object({
  name: z.string(),
  slots: z.number().int().min(1).max(255),
  code_lengths: z.array(z.number().int()),
  checksum: z.boolean(),
  native_scheduling: z.boolean(),
  masked_readback: z.boolean(),
  battery: z.boolean(),
  security: z.enum(["s2", "s0", "none"]),
  smart_start: z.boolean(),
  profile: z.string().optional(),
  multi_code: z.boolean().optional(),
  /** Hex; the public key (and thus the DSK) is derived from it. */
  private_key: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type NewLockRecord = z.infer<typeof newLockSchema>;

const stateSchema = z.object({
  version: z.literal(2),
  fingerprint: z.string(),
  next_node_id: z.number().int().min(2).max(232),
  /** node id -> the lock holding it and the classes whose keys it was given. */
  members: z.record(z.string(), z.object({ lock: z.string(), granted: z.array(securityClassNameSchema) })),
  new_locks: z.record(z.string(), newLockSchema),
  /** sim id -> the node id a lock had when it last left, so its old radio id gets a clear error. */
  former: z.record(z.string(), z.number().int()).default({}),
});
type StateData = z.infer<typeof stateSchema>;

export interface Member {
  readonly nodeId: number;
  readonly simId: string;
  readonly granted: readonly SecurityClassName[];
}

export class NetworkState {
  private data: StateData;

  private constructor(
    private readonly file: string,
    data: StateData,
    /** The file did not exist or was unreadable: a brand-new network. */
    readonly fresh: boolean,
  ) {
    this.data = data;
  }

  /** Reads the state; an unreadable file is logged and the network starts over. */
  static load(dir: string, logger: DriverLogger): NetworkState {
    const file = path.join(dir, "network.json");
    let raw: unknown;
    try {
      raw = readJsonFile(file);
    } catch {
      raw = null;
    }
    const parsed = stateSchema.safeParse(raw);
    if (parsed.success) return new NetworkState(file, parsed.data, false);
    if (raw !== undefined && raw !== null && (raw as { version?: unknown }).version === 2) {
      logger.warn({ file }, "simulated Z-Wave network state unreadable; starting a new network");
    }
    // Older files (version 1) held only the fingerprint: the configured locks are taken as members again.
    const fingerprint = typeof (raw as { fingerprint?: unknown } | null)?.fingerprint === "string" ? (raw as { fingerprint: string }).fingerprint : "";
    return new NetworkState(file, { version: 2, fingerprint, next_node_id: 2, members: {}, new_locks: {}, former: {} }, true);
  }

  get fingerprint(): string {
    return this.data.fingerprint;
  }

  set fingerprint(value: string) {
    this.data = { ...this.data, fingerprint: value };
    this.save();
  }

  members(): Member[] {
    return Object.entries(this.data.members).map(([id, m]) => ({ nodeId: Number(id), simId: m.lock, granted: m.granted }));
  }

  memberOf(simId: string): Member | undefined {
    return this.members().find((m) => m.simId === simId);
  }

  /** The next node id, as a controller hands them out: increasing, never one in use. */
  allocateNodeId(): number {
    const used = new Set(this.members().map((m) => m.nodeId));
    let id = this.data.next_node_id;
    while (used.has(id)) id++;
    if (id > 232) throw new Error("the simulated Z-Wave network is full (node ids 2..232)");
    this.data = { ...this.data, next_node_id: id + 1 };
    this.save();
    return id;
  }

  /** Reserves a node id for a configured lock on a fresh network (ids 2..n+1 in config order). */
  reserve(nodeId: number): void {
    if (nodeId >= this.data.next_node_id) this.data = { ...this.data, next_node_id: nodeId + 1 };
  }

  join(nodeId: number, simId: string, granted: readonly SecurityClassName[]): void {
    const members = Object.fromEntries(Object.entries(this.data.members).filter(([, m]) => m.lock !== simId));
    members[String(nodeId)] = { lock: simId, granted: [...granted] };
    this.data = { ...this.data, members };
    this.save();
  }

  leave(nodeId: number): void {
    const members = { ...this.data.members };
    const simId = members[String(nodeId)]?.lock;
    delete members[String(nodeId)];
    this.data = { ...this.data, members, former: simId ? { ...this.data.former, [simId]: nodeId } : this.data.former };
    this.save();
  }

  /** The node id the lock had when it last left the network. */
  formerNodeId(simId: string): number | undefined {
    return this.data.former[simId];
  }

  newLocks(): Array<[string, NewLockRecord]> {
    return Object.entries(this.data.new_locks);
  }

  addNewLock(simId: string, record: NewLockRecord): void {
    this.data = { ...this.data, new_locks: { ...this.data.new_locks, [simId]: record } };
    this.save();
  }

  save(): void {
    writeJsonFileAtomic(this.file, this.data);
  }
}

/**
 * The network keys of the simulation: the configured ones, else generated once and kept (0600), so the
 * mock controller, every simulated lock and the driver share them across restarts.
 */
export function simulationKeys(dir: string, configured: ZWaveSecurityKeysHex | undefined): ParsedSecurityKeys {
  if (configured && Object.keys(configured).length > 0) return parseSecurityKeys(configured);
  const file = path.join(dir, "keys.json");
  let stored: ZWaveSecurityKeysHex | null = null;
  try {
    const raw = readJsonFile(file) as ZWaveSecurityKeysHex | undefined;
    if (raw) stored = raw;
  } catch {
    stored = null;
  }
  const names = ["S0_Legacy", "S2_Unauthenticated", "S2_Authenticated", "S2_AccessControl"] as const;
  if (!stored || names.some((n) => typeof stored?.[n] !== "string")) {
    stored = Object.fromEntries(names.map((n) => [n, randomBytes(16).toString("hex")])) as ZWaveSecurityKeysHex;
    writeJsonFileAtomic(file, stored);
  }
  return parseSecurityKeys(stored);
}
