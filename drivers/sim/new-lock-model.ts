// What a factory-new simulated lock (/hub/simulate/new_lock) is made of, on either radio: a lock model's
// facts (its profile) with the request's keys over them, or a plain lock of the radio's defaults.
// Simulation only: production code never imports this.
import { PairingError, type NewSimulatedLock, type Protocol, type SimulatedLockConfig } from "../contract.js";
import { profileProblem, withProfileDefaults } from "./profiles/index.js";

export type NewLockModel = Omit<SimulatedLockConfig, "protocol" | "name" | "code_lengths" | "auto_relock_s"> & { readonly code_lengths: readonly number[] };

/** A radio's plain new lock, and the most slots its user-code commands can address. */
export interface NewLockDefaults {
  readonly slots: number;
  readonly maxSlots: number;
  readonly codeLengths: readonly number[];
  /** Why the limit, for the refusal ("on Z-Wave"). */
  readonly limitNote: string;
}

/** Refuses (PairingError "unsupported") a profile of another radio and a slot count the radio cannot have. */
export function newLockModel(protocol: Protocol, spec: NewSimulatedLock, defaults: NewLockDefaults): NewLockModel {
  const problem = spec.profile === undefined ? null : profileProblem(spec.profile, protocol);
  if (problem) throw new PairingError("unsupported", `profile: ${problem}`);
  const model = spec.profile ? withProfileDefaults(protocol, spec.profile, { slots: spec.slots, code_lengths: spec.code_lengths }) : null;
  const slots = model?.slots ?? spec.slots ?? defaults.slots;
  if (!Number.isInteger(slots) || slots < 1 || slots > defaults.maxSlots) throw new PairingError("unsupported", `slots must be 1..${defaults.maxSlots} ${defaults.limitNote}`);
  return {
    slots,
    code_lengths: [...(model?.code_lengths ?? spec.code_lengths ?? defaults.codeLengths)],
    checksum: model?.checksum ?? false,
    native_scheduling: model?.native_scheduling ?? false,
    masked_readback: model?.masked_readback ?? false,
    battery: model?.battery ?? true,
    ...(model?.multi_code ? { multi_code: true } : {}),
    ...(spec.profile ? { profile: spec.profile } : {}),
  };
}
