// THE catalogue of real lock models the simulation can be (protocol.md §9), read by the config, the
// /hub/simulate paths and both radios' simulations. A profile gives a lock entry its defaults; the entry's
// own keys override them.
import type { Protocol } from "../../contract.js";
import type { LockModelProfile, ProfileDefaults, ProfileSummary, ZigbeeLockProfile, ZWaveLockProfile } from "./types.js";
import { ZIGBEE_PROFILES } from "./zigbee.js";
import { ZWAVE_PROFILES } from "./zwave.js";

export type { LockModelProfile, ProfileDefaults, ProfileSummary, ZigbeeLockProfile, ZWaveLockProfile } from "./types.js";

export const LOCK_PROFILES: readonly LockModelProfile[] = [...ZWAVE_PROFILES, ...ZIGBEE_PROFILES];

export function profileSummaries(): ProfileSummary[] {
  return LOCK_PROFILES.map(({ profile, protocol, manufacturer, model }) => ({ profile, protocol, manufacturer, model }));
}

export function findProfile(name: string): LockModelProfile | undefined {
  return LOCK_PROFILES.find((p) => p.profile === name);
}

/** Why `name` is no profile of `protocol`, naming the known ones; null when it is one. */
export function profileProblem(name: string, protocol: Protocol): string | null {
  const found = findProfile(name);
  if (found?.protocol === protocol) return null;
  const known = LOCK_PROFILES.filter((p) => p.protocol === protocol).map((p) => p.profile);
  const what = found ? `"${name}" is a ${found.protocol} profile` : `unknown profile "${name}"`;
  return `${what}; known ${protocol} profiles: ${known.join(", ")}`;
}

export function zwaveProfile(name: string | undefined): ZWaveLockProfile | undefined {
  const found = name === undefined ? undefined : findProfile(name);
  return found?.protocol === "zwave" ? found : undefined;
}

export function zigbeeProfile(name: string | undefined): ZigbeeLockProfile | undefined {
  const found = name === undefined ? undefined : findProfile(name);
  return found?.protocol === "zigbee" ? found : undefined;
}

/** A lock entry's keys over its profile's defaults (throws for a profile that is not one of `protocol`). */
export function withProfileDefaults<T extends Partial<ProfileDefaults>>(protocol: Protocol, profile: string, entry: T): ProfileDefaults & T {
  const problem = profileProblem(profile, protocol);
  if (problem) throw new Error(problem);
  const { defaults } = findProfile(profile) as LockModelProfile;
  const own = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)) as T;
  return { ...defaults, code_lengths: [...defaults.code_lengths], ...own };
}
