import { z } from "zod";
import { codeMisfit } from "../../codes/constraints.js";
import type { LockRecord } from "../../store/records.js";
import type { Store } from "../../store/store.js";
import type { ApiContext, Shaper } from "../context.js";
import { deviceNotFound, invalidInput, unsupported } from "../errors.js";
import { paginate, pageParams } from "../paginate.js";
import { id, onlyTrue, qArray, refused, timestamp } from "../params.js";
import type { Route } from "../router.js";
import { displayName, type SeamObject } from "../shape.js";

const NO_CLOUD = (what: string) => `${what} are a Seam cloud feature; the hub has none`;
/** custom_metadata values (Seam: strings up to 500 characters or booleans; null removes a key). */
const metadataValue = z.union([z.string().max(500), z.boolean()]);

const listParams = z.object({
  device_ids: qArray(id).optional(),
  device_type: z.string().max(100).optional(),
  device_types: qArray(z.string().max(100)).optional(),
  manufacturer: z.string().max(100).optional(),
  connected_account_id: id.optional(),
  connected_account_ids: qArray(id).optional(),
  created_before: timestamp.optional(),
  custom_metadata_has: z.record(z.string().max(100), z.union([metadataValue, z.number()])).optional(),
  include_if: qArray(z.string().max(100)).optional(),
  exclude_if: qArray(z.string().max(100)).optional(),
  search: z.string().min(1).max(200).optional(),
  connect_webview_id: refused("Connect Webviews are a Seam cloud feature; the hub's locks are paired through /hub/pairing"),
  customer_key: refused(NO_CLOUD("customers")),
  user_identifier_key: refused(NO_CLOUD("user identities")),
  space_id: refused(NO_CLOUD("spaces")),
  unstable_location_id: refused(NO_CLOUD("locations")),
  ...pageParams,
});
type ListParams = z.infer<typeof listParams>;

const updateParams = z.object({
  device_id: id,
  name: z.string().min(1, "must not be empty; pass null to go back to the lock's own name").max(200).nullable().optional(),
  properties: z.object({ name: z.string().min(1).max(200).nullable().optional() }).optional(),
  custom_metadata: z
    .record(z.string().min(1).max(40), metadataValue.nullable())
    .refine((m) => Object.keys(m).length <= 50, "at most 50 keys")
    .optional(),
  is_managed: onlyTrue("every lock paired with the hub is managed; remove it with /hub/devices/remove").optional(),
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

/**
 * A simulated keypad types what the lock itself accepts (its charset and code lengths, not narrowed by
 * report_device_constraints): anything else is a 400 naming `code`, and the lock is not touched.
 */
export function requireTypable(code: string, lock: LockRecord): void {
  const misfit = codeMisfit(code, { ...lock, reportedCodeLengths: null });
  if (misfit) throw invalidInput(`the simulated keypad cannot type this code: ${misfit}`, { field: "code" });
}

/** Does a shaped device pass every filter of /devices/list? Filters combine with AND, as in Seam. */
function matches(d: SeamObject, lock: LockRecord, p: ListParams): boolean {
  const types = p.device_types ?? (p.device_type ? [p.device_type] : null);
  if (types && !types.includes(d.device_type as string)) return false;
  if (p.manufacturer) {
    const m = p.manufacturer.toLowerCase();
    const own = String((d.properties as { manufacturer?: unknown }).manufacturer ?? "").toLowerCase();
    if (d.device_type !== `${m}_lock` && !own.includes(m)) return false;
  }
  const accounts = p.connected_account_ids ?? (p.connected_account_id ? [p.connected_account_id] : null);
  if (accounts && !accounts.includes(d.connected_account_id as string)) return false;
  if (p.created_before && !(Date.parse(lock.createdAt) < Date.parse(p.created_before))) return false;
  const meta = (lock.customMetadata ?? {}) as Record<string, unknown>;
  // Query strings carry values as text: "true" matches true.
  if (p.custom_metadata_has && !Object.entries(p.custom_metadata_has).every(([k, v]) => Object.hasOwn(meta, k) && String(meta[k]) === String(v))) return false;
  if (p.include_if && !p.include_if.every((flag) => d[flag] === true)) return false;
  if (p.exclude_if && p.exclude_if.some((flag) => d[flag] === true)) return false;
  if (p.search) {
    const q = p.search.toLowerCase();
    const hay = [d.display_name, d.connected_account_id, ...Object.values(meta)].map((v) => String(v).toLowerCase());
    if (!((q.length >= 4 && lock.deviceId.startsWith(q)) || hay.some((h) => h.includes(q)))) return false;
  }
  return true;
}

export function deviceRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  const list = (p: ListParams, store: Store) => {
    let locks = store.locks();
    if (p.device_ids) locks = locks.filter((l) => p.device_ids!.includes(l.deviceId));
    const devices = locks.map((l) => [shape.device(l), l] as const).filter(([d, l]) => matches(d, l, p));
    return paginate(
      devices.map(([d]) => d),
      p,
    );
  };
  const get = (p: { device_id?: string | undefined; name?: string | undefined }, store: Store) => {
    if (!p.device_id && !p.name) throw invalidInput("give device_id or name", { field: "device_id" });
    const lock = p.device_id ? store.lock(p.device_id) : store.locks().find((l) => (l.displayName ?? l.name) === p.name);
    if (!lock || (p.name !== undefined && displayName(lock) !== p.name)) throw deviceNotFound(p.device_id ?? p.name!);
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
  const getParams = z.object({ device_id: id.optional(), name: z.string().min(1).max(200).optional() });
  return [
    {
      kind: "query",
      path: "/devices/list",
      params: listParams,
      handle: (p: ListParams, store) => {
        const { page, pagination } = list(p, store);
        return { devices: page, pagination };
      },
    },
    {
      kind: "query",
      path: "/locks/list",
      params: listParams,
      handle: (p: ListParams, store) => {
        const { page, pagination } = list(p, store);
        return { locks: page, devices: page, pagination };
      },
    },
    { kind: "query", path: "/devices/get", params: getParams, handle: (p, store) => ({ device: get(p, store) }) },
    {
      kind: "query",
      path: "/locks/get",
      params: getParams,
      handle: (p, store) => {
        const device = get(p, store);
        return { lock: device, device };
      },
    },
    {
      kind: "mutation",
      path: "/devices/update",
      params: updateParams,
      handle: (p: z.infer<typeof updateParams>, tx) => {
        const lock = tx.store.lock(p.device_id);
        if (!lock) throw deviceNotFound(p.device_id);
        if (p.name !== undefined && p.properties?.name !== undefined && p.name !== p.properties.name) {
          throw invalidInput("name and properties.name differ; give one of them", { field: "name" });
        }
        const newName = p.name !== undefined ? p.name : p.properties?.name;
        const before = displayName(lock);
        const patch: { displayName?: string | null; customMetadata?: Record<string, string | boolean> } = {};
        if (newName !== undefined) patch.displayName = newName;
        if (p.custom_metadata) {
          // A Map, so a key like "__proto__" stays a plain key.
          const meta = new Map(Object.entries(lock.customMetadata ?? {}));
          for (const [k, v] of Object.entries(p.custom_metadata)) {
            if (v === null) meta.delete(k);
            else meta.set(k, v);
          }
          if (meta.size > 50) throw invalidInput("custom_metadata: a device holds at most 50 keys", { field: "custom_metadata" });
          patch.customMetadata = Object.fromEntries(meta);
        }
        if (!Object.keys(patch).length) return {};
        tx.store.updateLock(lock.deviceId, patch);
        tx.device(lock.deviceId);
        const after = patch.displayName !== undefined ? (patch.displayName ?? lock.name) : before;
        if (after !== before) tx.emit("device.name_changed", { deviceId: lock.deviceId, deviceName: after });
        return {};
      },
    },
    simulate("/devices/simulate/connect", "connect"),
    simulate("/devices/simulate/disconnect", "disconnect"),
    simulate("/devices/simulate/remove", "remove"),
  ];
}
