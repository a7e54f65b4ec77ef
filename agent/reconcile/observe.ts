import type { LockControls, LockState } from "../../drivers/contract.js";
import type { Tx } from "../events/journal.js";
import { uuidV5 } from "../util/uuid.js";
import { withIssue } from "./apply.js";
import { classify, type Observation } from "./classify.js";

/** Stable id of an unmanaged code: the same foreign code in the same slot keeps its id across re-reads. */
export const unmanagedId = (deviceId: string, slot: number, code: string | null) => uuidV5(`unmanaged:${deviceId}:${slot}:${code ?? "masked"}`);

/**
 * Record what a slot was seen to hold and turn any difference into Seam's vocabulary:
 * external modification or deletion of a managed code, or an unmanaged code appearing or going.
 */
export function recordObservation(tx: Tx, deviceId: string, obs: Observation): void {
  const store = tx.store;
  const owner = store.codes({ deviceId }).find((c) => c.slot === obs.slot);
  const known = store.unmanaged({ deviceId }).find((u) => u.slot === obs.slot);
  const previous = store.slots(deviceId).get(obs.slot);
  // A masked slot the hub wrote keeps the hub's knowledge of its digits, unless the keypad wrote it since.
  const code = obs.masked && !obs.changedAtKeypad && owner && previous?.code === owner.code ? owner.code : obs.code;
  store.putSlot({ deviceId, slot: obs.slot, code, masked: obs.masked, schedule: obs.code === null ? null : (previous?.schedule ?? null), observedAt: tx.nowIso });
  const result = classify({ ...obs, code }, owner, known);
  switch (result.kind) {
    case "none":
      break;
    case "external_change": {
      const c = owner!;
      tx.emit(result.event, { deviceId, accessCodeId: c.accessCodeId });
      const issues = withIssue(c, result.issue, tx.nowIso);
      if (result.adopt) {
        // The lock's version wins: a new value is taken over; a removal leaves the code unset and not restored.
        const adopted = result.change === "modified" && code !== null ? { code } : { status: "unset" as const, gaveUp: true, slot: null };
        store.updateCode(c.accessCodeId, { ...issues, ...adopted, updatedAt: tx.nowIso });
      } else {
        store.updateCode(c.accessCodeId, { ...issues, status: "setting", attemptStartedAt: tx.now, attempts: 0, nextAttemptAt: null, updatedAt: tx.nowIso });
      }
      tx.code(c.accessCodeId, deviceId);
      break;
    }
    case "unmanaged_appeared": {
      if (result.replaces) {
        store.deleteUnmanaged(result.replaces.accessCodeId);
        tx.emit("access_code.unmanaged.removed", { deviceId, accessCodeId: result.replaces.accessCodeId });
        tx.deletedUnmanaged(result.replaces.accessCodeId);
      }
      const id = unmanagedId(deviceId, obs.slot, result.code);
      store.putUnmanaged({ accessCodeId: id, deviceId, slot: obs.slot, code: result.code, name: `Slot ${obs.slot}`, deleting: false, createdAt: tx.nowIso });
      tx.emit("access_code.unmanaged.created", { deviceId, accessCodeId: id });
      tx.unmanaged(id);
      tx.kick(deviceId);
      break;
    }
    case "unmanaged_gone":
      store.deleteUnmanaged(result.unmanaged.accessCodeId);
      tx.emit("access_code.unmanaged.removed", { deviceId, accessCodeId: result.unmanaged.accessCodeId });
      tx.deletedUnmanaged(result.unmanaged.accessCodeId);
      tx.kick(deviceId);
      break;
  }
}

/**
 * Record what the lock reported (or was read to be) about its bolt and door, and what its driver now
 * knows it can do (a Zigbee lock shows its door sensor in its first reports); the doors hear of a change.
 */
export function recordLockState(tx: Tx, deviceId: string, state: LockState, controls?: LockControls): void {
  const lock = tx.store.lock(deviceId);
  if (!lock) return;
  const sameState = lock.lockState.locked === state.locked && lock.lockState.doorOpen === state.doorOpen;
  const c = lock.lockControls;
  const sameControls = !controls || (c.remoteLock === controls.remoteLock && c.remoteUnlock === controls.remoteUnlock && c.doorSensor === controls.doorSensor);
  if (sameState && sameControls) return;
  tx.store.updateLock(deviceId, { lockState: { locked: state.locked, doorOpen: state.doorOpen }, ...(controls && !sameControls ? { lockControls: { ...controls } } : {}) });
  tx.device(deviceId);
}
