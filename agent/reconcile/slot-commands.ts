// What a lock answered to a slot write or clear, recorded in the store: the slot's new content and the
// proof it gave, or the code's failure (definite refusals end the attempt; silence backs off).
import type { RadioResult } from "../../drivers/contract.js";
import type { Tx } from "../events/journal.js";
import type { Logger } from "../log.js";
import { withIssue } from "./apply.js";
import { recordObservation } from "./observe.js";
import type { RadioStep } from "./steps.js";
import { backoffMs } from "./retry.js";

export type SlotCommandStep = Extract<RadioStep, { kind: "write_slot" | "clear_slot" }>;

/**
 * Record what the lock answered to a write or clear. Returns true when the lock's codes changed
 * (its checksum is then stale).
 */
export function recordSlotCommand(tx: Tx, deviceId: string, step: SlotCommandStep, result: RadioResult, o: { readonly logger: Logger; readonly maxBackoffMs: number }): boolean {
  const store = tx.store;
  const code = step.accessCodeId ? store.code(step.accessCodeId) : undefined;
  if (result.ok) {
    if (step.kind === "write_slot") {
      // Proven without the lock showing the digits: the slot is known occupied by the hub's code, but masked.
      const masked = result.proof === "status" || result.proof === "checksum";
      store.putSlot({ deviceId: deviceId, slot: step.slot, code: step.code, masked, schedule: step.schedule, observedAt: tx.nowIso });
    } else {
      // Through classification, so a cleared unmanaged code is reported gone.
      recordObservation(tx, deviceId, { slot: step.slot, code: null, masked: false });
    }
    if (store.lock(deviceId)?.readbackProof !== result.proof) store.updateLock(deviceId, { readbackProof: result.proof });
    if (code) {
      if (code.attempts !== 0 || code.nextAttemptAt !== null) store.updateCode(code.accessCodeId, { attempts: 0, nextAttemptAt: null });
      tx.code(code.accessCodeId, deviceId);
    }
    return true;
  }
  if (!code) return false;
  const setting = step.kind === "write_slot";
  const definite = result.failure === "duplicate" || result.failure === "rejected";
  o.logger.warn({ device_id: deviceId, access_code_id: code.accessCodeId, slot: step.slot, failure: result.failure, reason: result.message }, `lock did not ${setting ? "accept" : "clear"} the code`);
  if (definite) {
    const issue =
      result.failure === "duplicate"
        ? { level: "error" as const, code: "duplicate_code_on_device", message: "The lock refused the code because it already holds the same code in another slot." }
        : { level: "error" as const, code: setting ? "failed_to_set_on_device" : "failed_to_remove_from_device", message: `The lock refused the ${setting ? "code" : "removal"}: ${result.message}` };
    const issues = withIssue(code, issue, tx.nowIso);
    store.updateCode(code.accessCodeId, { ...issues, gaveUp: true, attemptStartedAt: null, nextAttemptAt: null, updatedAt: tx.nowIso });
    tx.emit(setting ? "access_code.failed_to_set_on_device" : "access_code.failed_to_remove_from_device", {
      deviceId: deviceId,
      accessCodeId: code.accessCodeId,
      codeIssues: [...issues.errors, ...issues.warnings],
    });
    tx.code(code.accessCodeId, deviceId);
    return false;
  }
  const attempts = code.attempts + 1;
  const backoff = backoffMs(attempts, o.maxBackoffMs);
  store.updateCode(code.accessCodeId, { attempts, nextAttemptAt: tx.now + backoff });
  return false;
}
