// What a lock reports about its door and body, in Seam's vocabulary (protocol.md §8): refused codes,
// tampering and keypad lockouts, battery levels and warnings. Each runs inside the registry's
// transaction for the driver event; lock operations (lock.locked / lock.unlocked) are the registry's.
import { batteryStatus } from "../events/seam-events.js";
import type { Tx } from "../events/journal.js";
import type { CodeRecord, LockRecord } from "../store/records.js";

/** The access code (managed, or unmanaged) in a slot, as a lock names it in a report. */
export function codeInSlot(tx: Tx, deviceId: string, slot: number | null): { accessCodeId: string; managed: CodeRecord | null } | null {
  if (slot === null) return null;
  const managed = tx.store.codes({ deviceId }).find((c) => c.slot === slot && c.desired === "present");
  if (managed) return { accessCodeId: managed.accessCodeId, managed };
  const unmanaged = tx.store.unmanaged({ deviceId }).find((u) => u.slot === slot);
  return unmanaged ? { accessCodeId: unmanaged.accessCodeId, managed: null } : null;
}

/** A wrong code at the keypad, or a known user refused (outside its schedule): lock.access_denied. */
export function accessDenied(tx: Tx, lock: LockRecord, slot: number | null): void {
  const code = codeInSlot(tx, lock.deviceId, slot);
  tx.emit("lock.access_denied", { deviceId: lock.deviceId, ...(code ? { accessCodeId: code.accessCodeId } : {}) });
}

/** Tampering or a keypad lockout: device.tampered. */
export function tampered(tx: Tx, lock: LockRecord): void {
  tx.emit("device.tampered", { deviceId: lock.deviceId });
}

const isLow = (level: number) => {
  const status = batteryStatus(level);
  return status === "low" || status === "critical";
};

/**
 * A new battery level (percent): device.battery_status_changed when its status (critical, low, good,
 * full) changes, and device.low_battery once when it becomes low; a fresh battery ends the low spell.
 */
export function batteryLevel(tx: Tx, lock: LockRecord, percent: number): void {
  const level = Math.max(0, Math.min(1, percent / 100));
  const before = lock.batteryLevel;
  const low = isLow(level);
  const announce = low && !lock.batteryLow;
  tx.store.updateLock(lock.deviceId, { batteryLevel: level, batteryLow: low ? true : lock.batteryLow && level < 0.5 });
  if (before !== null && batteryStatus(before) !== batteryStatus(level)) {
    tx.emit("device.battery_status_changed", { deviceId: lock.deviceId, batteryLevel: level, batteryStatus: batteryStatus(level) });
  }
  if (announce) tx.emit("device.low_battery", { deviceId: lock.deviceId, batteryLevel: level });
  tx.device(lock.deviceId);
}

/** The lock itself says its battery is low: device.low_battery, once per low spell (it needs a level to say). */
export function batteryLow(tx: Tx, lock: LockRecord): boolean {
  if (lock.batteryLow) return true;
  // Without a level the event cannot be built; the next level report below 25% announces it.
  if (lock.batteryLevel === null) return false;
  tx.store.updateLock(lock.deviceId, { batteryLow: true });
  tx.emit("device.low_battery", { deviceId: lock.deviceId, batteryLevel: lock.batteryLevel });
  tx.device(lock.deviceId);
  return true;
}
