// The pairing object of protocol.md §7, as the hub serves it (HTTP, the cloud door, state frames) and
// keeps it in SQLite. Nothing secret goes in: no PIN, no full DSK (partial_dsk is the DSK without its
// first block, the PIN, as zwave-js hands it over), no install code.
import { z } from "zod";
import type { PairingErrorType, Protocol, SecurityClassName } from "../../drivers/contract.js";

export type PairingKind = "include" | "exclude" | "replace";
export type PairingStatus = "waiting_for_device" | "pin_needed" | "securing" | "interviewing" | "succeeded" | "failed" | "stopped" | "expired";

export const FINAL_STATUSES: readonly PairingStatus[] = ["succeeded", "failed", "stopped", "expired"];

export const isFinal = (status: PairingStatus): boolean => FINAL_STATUSES.includes(status);

export interface PairingObject {
  readonly pairing_id: string;
  readonly protocol: Protocol;
  readonly kind: PairingKind;
  readonly status: PairingStatus;
  readonly started_at: string;
  readonly expires_at: string;
  readonly requested_security_classes?: readonly SecurityClassName[];
  readonly granted_security_classes?: readonly SecurityClassName[];
  readonly partial_dsk?: string;
  readonly device_ids: readonly string[];
  readonly error?: { readonly type: PairingErrorType; readonly message: string };
}

const securityClass = z.enum(["S2_AccessControl", "S2_Authenticated", "S2_Unauthenticated", "S0_Legacy"]);

const pairingSchema = z.object({
  pairing_id: z.string(),
  protocol: z.enum(["zwave", "zigbee"]),
  kind: z.enum(["include", "exclude", "replace"]),
  status: z.enum(["waiting_for_device", "pin_needed", "securing", "interviewing", "succeeded", "failed", "stopped", "expired"]),
  started_at: z.string(),
  expires_at: z.string(),
  requested_security_classes: z.array(securityClass).optional(),
  granted_security_classes: z.array(securityClass).optional(),
  partial_dsk: z.string().optional(),
  device_ids: z.array(z.string()),
  error: z.object({ type: z.enum(["wrong_pin", "insecure_inclusion", "timeout", "interview_failed", "not_allowed"]), message: z.string() }).optional(),
});

/** A stored pairing object, or null when the row cannot be read (it is then left out). */
export function parsePairing(value: unknown): PairingObject | null {
  const parsed = pairingSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A provisioning entry as the hub serves it: the DSK's first block (the PIN) masked. */
export function maskDsk(dsk: string): string {
  return `*****${dsk.slice(5)}`;
}
