import type { AccessCodeEventType } from "../events/seam-events.js";
import type { CodeRecord, UnmanagedRecord } from "../store/records.js";
import type { IssueSpec } from "./steps.js";

/** What one slot was seen to hold: a code, empty (null), or occupied with digits the lock would not tell (masked). */
export interface Observation {
  readonly slot: number;
  readonly code: string | null;
  readonly masked: boolean;
  /** The lock said its keypad wrote this slot: news even where the digits are masked. */
  readonly changedAtKeypad?: boolean;
}

export type Classification =
  | { readonly kind: "none" }
  /** A managed code's slot no longer holds it. */
  | {
      readonly kind: "external_change";
      readonly accessCodeId: string;
      readonly change: "modified" | "removed";
      readonly event: Extract<AccessCodeEventType, "access_code.modified_external_to_seam" | "access_code.deleted_external_to_seam">;
      /** Adopt the lock's version (is_external_modification_allowed) instead of restoring the hub's. */
      readonly adopt: boolean;
      readonly issue: IssueSpec;
    }
  | { readonly kind: "unmanaged_appeared"; readonly slot: number; readonly code: string | null; readonly replaces: UnmanagedRecord | null }
  | { readonly kind: "unmanaged_gone"; readonly unmanaged: UnmanagedRecord };

const EXTERNAL = {
  removed: { event: "access_code.deleted_external_to_seam", adopted: "removed at the lock; the hub accepted the removal", restoring: "removed at the lock; the hub is restoring it" },
  modified: { event: "access_code.modified_external_to_seam", adopted: "changed at the lock; the hub adopted the new code", restoring: "changed at the lock; the hub is restoring it" },
} as const;

/** A confirmed managed code changed behind the hub's back: adopt it (allowed) or restore it. */
function externalChange(owner: CodeRecord, change: "modified" | "removed"): Classification {
  const adopt = owner.isExternalModificationAllowed;
  const words = EXTERNAL[change];
  return {
    kind: "external_change",
    accessCodeId: owner.accessCodeId,
    change,
    event: words.event,
    adopt,
    issue: {
      level: adopt ? "warning" : "error",
      code: "code_modified_external_to_seam",
      message: `The code was ${adopt ? words.adopted : words.restoring}.`,
      extra: { change_type: change },
    },
  };
}

/**
 * Classify a fresh observation of one slot against what the hub owns there (protocol.md §3, external changes).
 * Pure. `owner` is the managed code holding the slot, `known` the unmanaged code recorded there.
 */
export function classify(obs: Observation, owner: CodeRecord | undefined, known: UnmanagedRecord | undefined): Classification {
  const empty = obs.code === null && !obs.masked;
  if (owner) {
    // Only a code the lock had confirmed can be changed "externally"; anything else is still being written.
    const confirmed = owner.wasOnLock && (owner.status === "set" || owner.status === "unset") && owner.desired === "present";
    if (!confirmed) return { kind: "none" };
    if (empty) return externalChange(owner, "removed");
    // Masked digits prove nothing either way, unless the lock said its keypad wrote the slot.
    if (obs.masked) return obs.changedAtKeypad ? externalChange(owner, "modified") : { kind: "none" };
    if (obs.code === owner.code) return { kind: "none" };
    return externalChange(owner, "modified");
  }
  if (empty) return known ? { kind: "unmanaged_gone", unmanaged: known } : { kind: "none" };
  if (known && known.code === obs.code) return { kind: "none" };
  return { kind: "unmanaged_appeared", slot: obs.slot, code: obs.code, replaces: known ?? null };
}
