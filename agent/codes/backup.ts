import type { Tx } from "../events/journal.js";
import type { CodeRecord, LockRecord } from "../store/records.js";
import { createCode } from "./service.js";
import type { TimingPolicy } from "./timing.js";

export const isPoolBackup = (c: CodeRecord) => c.isBackup && c.backupState === "pool";

const EMPTY_POOL = "empty_backup_access_code_pool";

/**
 * Keep `size` backup codes programmed on a lock whose codes ask for a backup pool, so a pull answers
 * at once with no radio wait. Slots are reserved only once a code first needs the pool. Raises or clears
 * the device error empty_backup_access_code_pool. Returns whether anything changed.
 */
export function maintainBackupPool(tx: Tx, lock: LockRecord, size: number, policy: TimingPolicy): boolean {
  const codes = tx.store.codes({ deviceId: lock.deviceId });
  const wanted = size > 0 && codes.some((c) => c.useBackupAccessCodePool && c.desired === "present" && !c.isBackup);
  if (!wanted) return false;
  let changed = false;
  const pool = codes.filter((c) => isPoolBackup(c) && c.desired === "present");
  for (let i = pool.length; i < size; i++) {
    createCode(tx, { device_id: lock.deviceId, name: "Backup code" }, policy, { isBackup: true, backupState: "pool" }, { silent: true });
    changed = true;
  }
  const ready = pool.some((c) => c.status === "set");
  const has = lock.errors.some((e) => e.code === EMPTY_POOL);
  if (!ready && !has) {
    tx.store.updateLock(lock.deviceId, { errors: [...lock.errors, { level: "error", code: EMPTY_POOL, message: "No backup code is ready on this lock yet.", createdAt: tx.nowIso }] });
    tx.device(lock.deviceId);
    changed = true;
  } else if (ready && has) {
    tx.store.updateLock(lock.deviceId, { errors: lock.errors.filter((e) => e.code !== EMPTY_POOL) });
    tx.device(lock.deviceId);
    changed = true;
  }
  return changed;
}
