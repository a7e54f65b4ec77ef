// What the hub's records do when a lock leaves through pairing, or a new lock takes a failed one's place
// (protocol.md §7). Store steps inside the caller's transaction; the executors follow through the bus.
import { isPoolBackup } from "../codes/backup.js";
import type { Tx } from "../events/journal.js";
import { applyFailOperation } from "./lock-operations.js";
import { operationErrors } from "./plan-operations.js";

/** Issues that belonged to the old lock, not to the code. */
const OLD_LOCK_ISSUES = new Set(["failed_to_set_on_device", "failed_to_remove_from_device", "duplicate_code_on_device", "delay_in_setting_on_device", "delay_in_removing_from_device", "code_modified_external_to_seam", "device_offline", "device_removed"]);

/**
 * A lock removed through pairing (exclusion, /hub/devices/remove): `device.removed` (unless already
 * sent for it), every access code deleted (`access_code.deleted`), LOCK_DOOR / UNLOCK_DOOR attempts
 * still to run ended with `device_removed`, and the device gone from every list.
 * Returns false when the hub does not know the device.
 */
export function purgeLock(tx: Tx, deviceId: string): boolean {
  const lock = tx.store.lock(deviceId);
  if (!lock) return false;
  for (const op of tx.store.lockOperations(deviceId)) {
    applyFailOperation(tx, { kind: "fail_operation", actionAttemptId: op.actionAttemptId, error: operationErrors.removed(op) });
  }
  for (const c of tx.store.codes({ deviceId })) {
    if (!isPoolBackup(c)) tx.emit("access_code.deleted", { deviceId, accessCodeId: c.accessCodeId, code: c.code });
    tx.deletedCode(c.accessCodeId);
  }
  for (const u of tx.store.unmanaged({ deviceId })) {
    tx.emit("access_code.unmanaged.removed", { deviceId, accessCodeId: u.accessCodeId });
    tx.deletedUnmanaged(u.accessCodeId);
  }
  if (!lock.removed) tx.emit("device.removed", { deviceId });
  tx.store.deleteLock(deviceId);
  tx.deletedDevice(deviceId);
  return true;
}

/**
 * A new lock took a failed lock's place under the same radio id (Z-Wave replace): same device, same
 * access codes, programmed again. What the hub saw on the old lock is no evidence for the new one, so
 * its slots are forgotten (the start-up check reads the new lock), its unmanaged codes go, and every
 * code the lock should hold is `setting` again, in its slot, with a fresh attempt clock.
 */
export function prepareReplacement(tx: Tx, deviceId: string): boolean {
  const lock = tx.store.lock(deviceId);
  if (!lock) return false;
  tx.store.forgetSlots(deviceId);
  for (const u of tx.store.unmanaged({ deviceId })) {
    tx.store.deleteUnmanaged(u.accessCodeId);
    tx.emit("access_code.unmanaged.removed", { deviceId, accessCodeId: u.accessCodeId });
    tx.deletedUnmanaged(u.accessCodeId);
  }
  for (const c of tx.store.codes({ deviceId })) {
    const onNewLock = c.desired === "present" && c.status !== "unset";
    tx.store.updateCode(c.accessCodeId, {
      ...(onNewLock ? { status: "setting" as const, attemptStartedAt: tx.now } : {}),
      wasOnLock: false,
      isScheduledOnDevice: false,
      attempts: 0,
      nextAttemptAt: null,
      gaveUp: false,
      errors: c.errors.filter((i) => !OLD_LOCK_ISSUES.has(i.code)),
      warnings: c.warnings.filter((i) => !OLD_LOCK_ISSUES.has(i.code)),
      updatedAt: tx.nowIso,
    });
    tx.code(c.accessCodeId, deviceId);
  }
  tx.store.updateLock(deviceId, {
    checksum: null,
    slotsSynced: false,
    readbackProof: null,
    removed: false,
    errors: lock.errors.filter((i) => !OLD_LOCK_ISSUES.has(i.code)),
  });
  tx.device(deviceId);
  return true;
}
