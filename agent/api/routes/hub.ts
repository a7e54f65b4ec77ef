import { z } from "zod";
import { profileSummaries } from "../../../drivers/sim/profiles/index.js";
import type { ApiContext } from "../context.js";
import { invalidInput } from "../errors.js";
import { id, pin, qBool, qInt } from "../params.js";
import type { Route } from "../router.js";
import { requireSimulated, requireTypable } from "./devices.js";

export function hubRoutes(ctx: ApiContext): Route[] {
  const slotParam = qInt(1, 65535);
  const simulatedSlot = (store: Parameters<typeof requireSimulated>[1], deviceId: string, slot: number) => {
    const found = requireSimulated(ctx, store, deviceId);
    const max = found.lock.capabilities.slotCount;
    if (slot > max) throw invalidInput(`slot must be between 1 and ${max} on this lock`, { field: "slot" });
    return found;
  };
  return [
    { kind: "query", path: "/hub/status", params: z.object({}), handle: () => ({ hub: ctx.status() }) },
    // The real lock models a simulated lock can be (protocol.md §9), for config and /hub/simulate/new_lock.
    { kind: "query", path: "/hub/simulate/profiles", params: z.object({}), handle: () => ({ profiles: profileSummaries() }) },
    {
      kind: "query",
      path: "/hub/simulate/keypad_set_code",
      params: z.object({ device_id: id, slot: slotParam, code: pin, name: z.string().max(200).optional() }),
      handle: async (p, store) => {
        const { lock, sim } = simulatedSlot(store, p.device_id, p.slot);
        requireTypable(p.code, lock);
        await sim.keypadSetCode(lock.radioId, p.slot, p.code);
        return {};
      },
    },
    {
      kind: "query",
      path: "/hub/simulate/keypad_clear_code",
      params: z.object({ device_id: id, slot: slotParam }),
      handle: async (p, store) => {
        const { lock, sim } = simulatedSlot(store, p.device_id, p.slot);
        await sim.keypadClearCode(lock.radioId, p.slot);
        return {};
      },
    },
    {
      kind: "query",
      path: "/hub/simulate/keypad_unlock",
      params: z.object({ device_id: id, code: pin }),
      handle: async (p, store) => {
        const { lock, sim } = requireSimulated(ctx, store, p.device_id);
        requireTypable(p.code, lock);
        const r = await sim.keypadUnlock(lock.radioId, p.code, new Date(ctx.clock.now()));
        return { unlocked: r.unlocked };
      },
    },
    {
      kind: "query",
      path: "/hub/simulate/lock_faults",
      params: z.object({ device_id: id, unresponsive: qBool.optional(), rejects_codes: qBool.optional(), masked_readback: qBool.optional(), jammed: qBool.optional() }),
      handle: (p, store) => {
        const { lock, sim } = requireSimulated(ctx, store, p.device_id);
        const { device_id, ...faults } = p;
        void device_id;
        sim.setFaults(lock.radioId, faults);
        return {};
      },
    },
    {
      kind: "query",
      path: "/hub/simulate/lock_slots",
      params: z.object({ device_id: id }),
      handle: (p, store) => {
        const { lock, sim } = requireSimulated(ctx, store, p.device_id);
        return { slots: sim.physicalSlots(lock.radioId) };
      },
    },
  ];
}
