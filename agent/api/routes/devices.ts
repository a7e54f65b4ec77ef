import { z } from "zod";
import type { LockRecord } from "../../store/records.js";
import type { Store } from "../../store/store.js";
import type { ApiContext, Shaper } from "../context.js";
import { deviceNotFound, invalidInput, unsupported } from "../errors.js";
import { id, qArray, qInt } from "../params.js";
import type { Route } from "../router.js";

const listParams = z.object({
  device_ids: qArray(id).optional(),
  device_type: z.string().max(100).optional(),
  device_types: qArray(z.string().max(100)).optional(),
  connected_account_id: id.optional(),
  limit: qInt(1, 10_000).optional(),
});

export function requireSimulated(ctx: ApiContext, store: Store, deviceId: string): { lock: LockRecord; sim: NonNullable<ReturnType<ApiContext["simulatorFor"]>> } {
  const lock = store.lock(deviceId);
  if (!lock) throw deviceNotFound(deviceId);
  if (!lock.simulated) throw unsupported(`device_id "${deviceId}" is a real lock; simulation paths work on simulated locks only`);
  if (lock.removed) throw invalidInput(`device_id "${deviceId}": this simulated lock was removed from its network`, { field: "device_id" });
  const sim = ctx.simulatorFor(lock);
  // Known from an earlier run, but its radio simulation has not brought it up yet in this one.
  if (!sim || !ctx.lockAttached(deviceId)) {
    throw invalidInput(`device_id "${deviceId}": this simulated lock is not on its radio yet (the simulation is still starting); retry in a few seconds`, { field: "device_id" });
  }
  return { lock, sim };
}

export function deviceRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  const list = (p: z.infer<typeof listParams>, store: Store) => {
    let locks = store.locks();
    if (p.device_ids) locks = locks.filter((l) => p.device_ids!.includes(l.deviceId));
    if (p.connected_account_id && p.connected_account_id !== ctx.config.connected_account_id) locks = [];
    let devices = locks.map((l) => shape.device(l));
    const types = p.device_types ?? (p.device_type ? [p.device_type] : null);
    if (types) devices = devices.filter((d) => types.includes(d.device_type as string));
    return devices.slice(0, p.limit ?? 10_000);
  };
  const get = (p: { device_id?: string | undefined; name?: string | undefined }, store: Store) => {
    const lock = p.device_id ? store.lock(p.device_id) : store.locks().find((l) => l.name === p.name);
    if (!lock) throw deviceNotFound(p.device_id ?? p.name ?? "(none given)");
    return shape.device(lock);
  };
  const simulate = (path: string, act: "connect" | "disconnect" | "remove"): Route => ({
    kind: "query",
    path,
    params: z.object({ device_id: id }),
    handle: async (p, store) => {
      const { lock, sim } = requireSimulated(ctx, store, p.device_id);
      await sim[act](lock.radioId);
      return {};
    },
  });
  const getParams = z.object({ device_id: id.optional(), name: z.string().max(200).optional() });
  return [
    { kind: "query", path: "/devices/list", params: listParams, handle: (p, store) => ({ devices: list(p, store) }) },
    { kind: "query", path: "/locks/list", params: listParams, handle: (p, store) => ({ locks: list(p, store), devices: list(p, store) }) },
    { kind: "query", path: "/devices/get", params: getParams, handle: (p, store) => ({ device: get(p, store) }) },
    { kind: "query", path: "/locks/get", params: getParams, handle: (p, store) => ({ lock: get(p, store), device: get(p, store) }) },
    simulate("/devices/simulate/connect", "connect"),
    simulate("/devices/simulate/disconnect", "disconnect"),
    simulate("/devices/simulate/remove", "remove"),
  ];
}
