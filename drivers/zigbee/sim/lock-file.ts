// simulated-locks.json: what each simulated Zigbee lock keeps across restarts, by IEEE address: its
// membership, memory (codes, schedules), body (bolt, door, battery) and, for a lock made at run time
// (/hub/simulate/new_lock), what it is and its install code.
import { isRecord, readJsonFile, writeJsonFileAtomic } from "../json-file.js";
import type { ZigbeeSimulatedLockConfig } from "../options.js";
import type { SavedBody } from "./virtual-door.js";

/** One lock as the file keeps it. */
export interface SavedLock {
  readonly name: string;
  readonly joined: boolean;
  readonly memory: unknown;
  readonly body: SavedBody;
  /** A lock made at run time: its config, sim id, address and install code. */
  readonly made?: { readonly config: ZigbeeSimulatedLockConfig; readonly simId: string; readonly nwk: number; readonly installCode: Buffer | null };
}

/** A lock made at run time, as read back. */
export interface MadeLock {
  readonly ieee: string;
  readonly config: ZigbeeSimulatedLockConfig;
  readonly simId: string;
  readonly nwk: number;
  readonly installCode: Buffer | null;
  readonly joined: boolean;
  readonly stored: unknown;
}

/** The stored entries by IEEE address (empty when the file is missing or unreadable). */
export function readSavedLocks(file: string): Record<string, unknown> {
  const saved = readJsonFile(file);
  return isRecord(saved) && isRecord(saved["locks"]) ? saved["locks"] : {};
}

export function writeSavedLocks(file: string, locks: ReadonlyArray<readonly [ieee: string, lock: SavedLock]>): void {
  const entries = locks.map(([ieee, l]) => [
    ieee,
    {
      name: l.name,
      joined: l.joined,
      memory: l.memory,
      body: l.body,
      ...(l.made ? { sim_id: l.made.simId, nwk: l.made.nwk, made: l.made.config, install_code: l.made.installCode?.toString("hex") } : {}),
    },
  ]);
  writeJsonFileAtomic(file, { version: 1, locks: Object.fromEntries(entries) });
}

/** A configured lock stays a member unless the file says it left. */
export const savedJoined = (stored: unknown): boolean => !(isRecord(stored) && stored["joined"] === false);

export const savedMemory = (stored: unknown): unknown => (isRecord(stored) ? stored["memory"] : undefined);

/** The locks made at run time that the file holds, as they were when the hub last ran. */
export function madeLocks(saved: Record<string, unknown>): MadeLock[] {
  return Object.entries(saved).flatMap(([ieee, stored]): MadeLock[] => {
    if (!isRecord(stored)) return [];
    const config = madeConfig(stored["made"]);
    if (!config) return [];
    return [
      {
        ieee,
        config,
        simId: typeof stored["sim_id"] === "string" ? stored["sim_id"] : ieee,
        nwk: typeof stored["nwk"] === "number" ? stored["nwk"] : 0,
        installCode: typeof stored["install_code"] === "string" ? Buffer.from(stored["install_code"], "hex") : null,
        joined: stored["joined"] === true,
        stored,
      },
    ];
  });
}

function madeConfig(value: unknown): ZigbeeSimulatedLockConfig | null {
  if (!isRecord(value)) return null;
  const { name, slots, code_lengths, profile } = value;
  if (typeof name !== "string" || typeof slots !== "number" || !Array.isArray(code_lengths) || !code_lengths.every((n) => typeof n === "number")) return null;
  const flag = (key: string): boolean => value[key] === true;
  return {
    protocol: "zigbee",
    name,
    slots,
    code_lengths: code_lengths as number[],
    checksum: false,
    native_scheduling: flag("native_scheduling"),
    masked_readback: flag("masked_readback"),
    battery: value["battery"] !== false,
    ...(typeof profile === "string" ? { profile } : {}),
  };
}

/** The bolt, door and battery a lock had when the file was written; a new lock is locked, closed and full. */
export function savedBody(stored: unknown): SavedBody | undefined {
  const body = isRecord(stored) ? stored["body"] : undefined;
  if (!isRecord(body) || !isRecord(body["door"]) || typeof body["battery"] !== "number") return undefined;
  const door = body["door"];
  if (typeof door["locked"] !== "boolean" || typeof door["doorOpen"] !== "boolean") return undefined;
  return { door: { locked: door["locked"], doorOpen: door["doorOpen"] }, battery: body["battery"] };
}
