// How one Z-Wave write or clear is proven, and how a lock that did not take a code is told from one that
// holds something unexpected: Supervision, the lock's own report (code-notices.ts), else one User Code Get.
// A lock that answers no Supervision says nothing when it refuses a code: the slot then still holds what
// it held before the write (or nothing), and that is a refusal, never retried; anything else is a mismatch.
import { SupervisionStatus, type SupervisionResult } from "@zwave-js/core";
import { UserCodeCCValues, type ZWaveNode } from "zwave-js";
import type { RadioResult } from "../contract.js";
import { duplicateFor, duplicateRefused, type CodeNotices } from "./code-notices.js";
import { readableCode } from "./notifications.js";
import { failed } from "./radio-errors.js";
import { isOccupiedStatus } from "./user-id-status.js";

/** How long to wait after a refusal for the lock's "duplicate" notification (Access Control 0x0F). */
export const DUPLICATE_NOTICE_WAIT_MS = 400;

export interface ProofHost {
  readonly node: ZWaveNode;
  readonly notices: CodeNotices;
  /** The lock hides digits: an occupied status is all a read can show. */
  statusOnly(): boolean;
  /** The digits of a read-back code, or undefined when the lock hides them (and learns that it does). */
  digitsOf(userCode: unknown): string | undefined;
}

/**
 * What the slot held before a write, as zwave-js last heard it: the digits, null for empty, undefined
 * when unknown or hidden. Read before the Set (zwave-js may update its cache with the Set).
 */
export function slotBefore(node: ZWaveNode, slot: number): string | null | undefined {
  const status = node.getValue<number>(UserCodeCCValues.userIdStatus(slot).id);
  if (status === undefined) return undefined;
  if (!isOccupiedStatus(status)) return null;
  const code = readableCode(node.getValue(UserCodeCCValues.userCode(slot).id));
  return typeof code === "string" ? code : undefined;
}

/** Whether the lock reported a duplicate for this write, waiting briefly for a late report. */
export async function sawDuplicate(host: ProofHost, slot: number, since: number): Promise<boolean> {
  return (await host.notices.waitFor(since, DUPLICATE_NOTICE_WAIT_MS, duplicateFor(slot))) !== undefined;
}

/** A Supervision Fail for a write: a duplicate, if the lock said so, else a refusal. */
export async function refusal(host: ProofHost, slot: number, since: number): Promise<RadioResult> {
  return (await sawDuplicate(host, slot, since)) ? duplicateRefused() : failed("rejected", `the lock refused the code for slot ${slot}`);
}

/**
 * Proves a write (`expected` = the code) or a clear (`expected` = null): Supervision success suffices
 * for locks that show digits; otherwise the lock's own report, else one User Code Get decides.
 * `before`: the slot's content before the write (slotBefore), undefined when unknown.
 */
export async function confirmWrite(
  host: ProofHost,
  slot: number,
  expected: string | null,
  result: SupervisionResult | undefined,
  since: number,
  before: string | null | undefined = undefined,
): Promise<RadioResult> {
  const statusOnly = host.statusOnly();
  if (result?.status === SupervisionStatus.Success && !statusOnly) return { ok: true, proof: "supervision" };
  // Without Supervision (User Code v1), the lock's own report of the write is its confirmation.
  const reported = expected !== null && result === undefined ? await host.notices.reportOf(slot, expected, since) : null;
  if (reported) return reported;
  const report = await host.node.commandClasses["User Code"].get(slot);
  if (!report) return failed("timeout", `no User Code Report for slot ${slot} after the write`);
  const occupied = isOccupiedStatus(report.userIdStatus);
  if (expected === null) {
    return occupied ? failed("mismatch", `slot ${slot} still holds a code after clearing`) : { ok: true, proof: statusOnly ? "status" : "readback" };
  }
  if (!occupied) {
    if (await sawDuplicate(host, slot, since)) return duplicateRefused();
    return failed("rejected", `slot ${slot} is empty after the write: the lock did not take the code`);
  }
  const digits = host.digitsOf(report.userCode);
  if (digits === undefined) return { ok: true, proof: "status" };
  if (digits === expected) return { ok: true, proof: "readback" };
  // Never put either code into the message: it ends up in logs.
  if (digits === before) return failed("rejected", `slot ${slot} still holds its previous code: the lock did not take the new one`);
  return failed("mismatch", `slot ${slot} holds a different code than written`);
}
