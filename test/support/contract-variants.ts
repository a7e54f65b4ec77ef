// What the shared driver contract suite (test/support/contract-suite.ts) expects of a run: the radio's
// default simulated locks, or one real lock model of the catalogue (drivers/sim/profiles, protocol.md §9).
// Every expectation is derived from the radio's traits, the profile's facts and, on Z-Wave, the model's
// zwave-js device file; the suite asserts each one, it never skips a scenario for a model.
import { ConfigManager } from "@zwave-js/config";
import { CommandClasses } from "@zwave-js/core";
import type { OperationProof, SimulatedLockConfig, WriteProof } from "../../drivers/contract.js";
import { withProfileDefaults, type LockModelProfile } from "../../drivers/sim/profiles/index.js";
import type { DriverHarness, RadioTraits } from "./driver-harness.js";

export type LockConfig = Omit<SimulatedLockConfig, "protocol">;

/** What the suite asserts, beyond the radio's traits. */
export interface ContractExpectations extends RadioTraits {
  /** Proofs a lock's first write may show (a lock's own report may teach the driver during it). */
  readonly firstWriteProofs: readonly WriteProof[];
  /** The proof of every later write, and (a lock whose own reports prove writes) what else may come first. */
  readonly laterWriteProof: WriteProof;
  readonly laterWriteProofs: readonly WriteProof[];
  /** Proofs of a clear before the lock taught the driver anything, and after. */
  readonly firstClearProofs: readonly WriteProof[];
  readonly laterClearProof: WriteProof;
  /** Read-back hides the digits: readSlot gives `code: undefined` for a held code. */
  readonly masked: boolean;
  readonly codeLengths: readonly number[];
  readonly nativeSchedule: boolean;
  /** The slot count the radio shows for a lock configured with `configured` slots (a device file may fix it). */
  slotCount(configured: number): number;
  /**
   * A lock that hides digits and answers no Supervision has a code replaced by clearing the slot first (the
   * status alone cannot tell a new code from the old): a refused replacement leaves the slot empty.
   */
  readonly rewriteClearsFirst: boolean;
  /** The Extended User Code Set budget of a multi-code lock (Z-Wave, S2 Access Control: 30 bytes per frame). */
  readonly multiCodeWrite: { budgetBytes: number; batchBytes: number; codeBytes: number; maxCodes: number } | undefined;
}

export interface ContractVariant {
  /** "default" or the profile id. */
  readonly label: string;
  /** The run's lock entry for one of the suite's base entries. */
  lock(base: LockConfig): LockConfig;
  readonly expect: ContractExpectations;
  /** A lock model's identity as the radio reports it (Z-Wave: its device file's names); null for default locks. */
  readonly identity: { readonly manufacturer: string; readonly model: string } | null;
}

const SUPERVISION_CC = 0x6c;
const S2_MULTI_CODE = { budgetBytes: 30, batchBytes: 1, codeBytes: 4, maxCodes: 255 } as const;

/** The suite on the radio's default simulated locks: every base entry as it is. */
export function defaultVariant(harness: DriverHarness): ContractVariant {
  const t = harness.traits;
  return {
    label: "default",
    lock: (base) => base,
    identity: null,
    expect: {
      ...t,
      firstWriteProofs: [t.digitsProof],
      laterWriteProof: t.digitsProof,
      laterWriteProofs: [t.digitsProof],
      firstClearProofs: [t.digitsProof],
      laterClearProof: t.digitsProof,
      masked: false,
      codeLengths: [4, 5, 6],
      nativeSchedule: false,
      slotCount: (configured) => configured,
      rewriteClearsFirst: false,
      multiCodeWrite: t.batchesCodes ? S2_MULTI_CODE : undefined,
    },
  };
}

let loadedConfigs: Promise<ConfigManager> | null = null;
function zwaveConfigs(): Promise<ConfigManager> {
  loadedConfigs ??= (async () => {
    const configs = new ConfigManager();
    await configs.loadAll();
    return configs;
  })();
  return loadedConfigs;
}

/**
 * The suite on one real lock model: each base entry keeps its name, slot count (unless the model's device
 * file fixes it) and auto-relock, and takes the model's code lengths, checksum, scheduling, read-back,
 * battery and multi-code support.
 */
export async function profileVariant(harness: DriverHarness, profile: LockModelProfile): Promise<ContractVariant> {
  if (profile.protocol !== harness.protocol) throw new Error(`${profile.profile} is a ${profile.protocol} profile`);
  const d = profile.defaults;
  const t = harness.traits;
  const masked = d.masked_readback;
  let digitsProof: WriteProof;
  let laterWriteProof: WriteProof;
  let laterClearProof: WriteProof;
  let operationProof: OperationProof = t.operationProof;
  let fixedSlots: number | undefined;
  let rewriteClearsFirst = false;
  let identity: { manufacturer: string; model: string };
  if (profile.protocol === "zigbee") {
    const z = profile.zigbee;
    identity = { manufacturer: z.manufacturerName, model: z.modelId };
    // The first write is read back (or proven by status when digits are hidden); the lock's RF event teaches the driver.
    digitsProof = masked ? "status" : "readback";
    laterWriteProof = z.programmingEventOnRfChange ? (masked ? "status" : "notification") : digitsProof;
    // A clear's event proves it even where digits are hidden: an empty slot has none to show.
    laterClearProof = z.programmingEventOnRfChange ? "notification" : digitsProof;
  } else {
    const z = profile.zwave;
    const device = await (await zwaveConfigs()).lookupDevice(z.manufacturerId, z.productType, z.productId);
    if (!device) throw new Error(`${profile.profile}: no zwave-js device file`);
    identity = { manufacturer: device.manufacturer, model: device.label };
    // A device file can take Supervision away from a lock that lists it (compat.removeCCs).
    const supervised = z.supervision && device.compat?.removeCCs?.has(SUPERVISION_CC) !== true;
    digitsProof = supervised ? "supervision" : masked ? "status" : "readback";
    // Unsupervised: a lock that reports its RF writes ("new user code added") is proven by that report.
    laterWriteProof = digitsProof === "readback" && z.reportsRfWrites ? "notification" : digitsProof;
    // Locks report their RF writes, not their RF clears: a clear is read back (or proven by Supervision).
    laterClearProof = digitsProof;
    rewriteClearsFirst = masked && !supervised;
    operationProof = supervised ? "supervision" : "state_report";
    const override = device.compat?.overrideQueries?.matchOverride(CommandClasses["User Code"], 0, "getUsersCount", []);
    fixedSlots = typeof override?.result === "number" ? override.result : undefined;
  }
  const batchesCodes = t.batchesCodes && d.multi_code;
  return {
    label: profile.profile,
    identity,
    lock: (base) => {
      const { protocol: _protocol, ...merged } = {
        ...withProfileDefaults(profile.protocol, profile.profile, { name: base.name, slots: fixedSlots ?? base.slots, ...(base.auto_relock_s ? { auto_relock_s: base.auto_relock_s } : {}) }),
        protocol: profile.protocol,
      };
      return { ...merged, profile: profile.profile };
    },
    expect: {
      ...t,
      checksum: t.checksum && d.checksum,
      digitsProof,
      keypadReportCarriesCode: t.keypadReportCarriesCode && !masked,
      operationProof,
      batchesCodes,
      firstWriteProofs: [...new Set([digitsProof, laterWriteProof])],
      laterWriteProof,
      // A v1 lock's "code added" and its own User Code Report of the slot (with the digits) race; either proves.
      laterWriteProofs: profile.protocol === "zwave" && laterWriteProof === "notification" ? ["notification", "readback"] : [laterWriteProof],
      firstClearProofs: [...new Set([digitsProof, laterClearProof])],
      laterClearProof,
      masked,
      codeLengths: d.code_lengths,
      nativeSchedule: d.native_scheduling,
      slotCount: (configured) => fixedSlots ?? configured,
      rewriteClearsFirst,
      multiCodeWrite: batchesCodes ? S2_MULTI_CODE : undefined,
    },
  };
}
