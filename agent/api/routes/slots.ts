import { z } from "zod";
import type { Store } from "../../store/store.js";
import { deviceNotFound } from "../errors.js";
import { id } from "../params.js";
import type { Route } from "../router.js";
import type { SlotMapBody, SlotView } from "../slot-map.js";

/**
 * /hub/devices/slots: which slot of a lock holds what, from the hub's own records (docs/api.md).
 * Seam's objects have no slot field; installers and support need the map to see why a code does
 * not open the door. It names the access code in each slot, never a PIN: the PINs are on the access
 * code objects, for callers the key allows to read them.
 */

export function slotMap(store: Store, deviceId: string): Omit<SlotMapBody, "device_id"> {
  const lock = store.lock(deviceId);
  if (!lock) throw deviceNotFound(deviceId);
  const observed = store.slots(deviceId);
  const owners = new Map<number, Omit<SlotView, "slot" | "on_lock">>();
  for (const c of store.codes({ deviceId })) {
    if (c.slot === null) continue;
    const pool = c.isBackup && c.backupState === "pool";
    owners.set(c.slot, pool ? { holder: "backup", status: c.status, changed_at: c.updatedAt } : { holder: "managed", access_code_id: c.accessCodeId, changed_at: c.updatedAt });
  }
  for (const u of store.unmanaged({ deviceId })) if (!owners.has(u.slot)) owners.set(u.slot, { holder: "unmanaged", access_code_id: u.accessCodeId, changed_at: u.createdAt });
  const slots: SlotView[] = [];
  let used = 0;
  for (let slot = 1; slot <= lock.capabilities.slotCount; slot++) {
    const seen = observed.get(slot);
    const onLock = !seen ? "not_read" : seen.masked ? "masked" : seen.code === null ? "empty" : "code";
    const owner = owners.get(slot) ?? (onLock === "code" || onLock === "masked" ? { holder: "unidentified" as const } : { holder: "free" as const });
    if (owner.holder !== "free") used++;
    slots.push({
      slot,
      ...owner,
      on_lock: onLock,
      ...(seen ? { observed_at: seen.observedAt } : {}),
      ...(seen?.schedule ? { schedule_on_lock: { starts_at: seen.schedule.startsAt, ends_at: seen.schedule.endsAt } } : {}),
    });
  }
  return { slot_count: lock.capabilities.slotCount, slots_used: used, slots_synced: lock.slotsSynced, slots };
}

export function slotRoutes(): Route[] {
  return [{ kind: "query", path: "/hub/devices/slots", params: z.object({ device_id: id }), handle: (p, store) => ({ device_id: p.device_id, ...slotMap(store, p.device_id) }) }];
}
