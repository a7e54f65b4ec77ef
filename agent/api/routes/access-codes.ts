import { z } from "zod";
import { createCode, deleteCode, pickCode, requireCode, requireLock, updateCode } from "../../codes/service.js";
import type { ApiContext, Shaper } from "../context.js";
import { accessCodeNotFound, invalidInput } from "../errors.js";
import { id, name, pin, qArray, qBool, qInt, timestamp } from "../params.js";
import type { Route } from "../router.js";
import { actionAttempt } from "./action-attempts.js";

const createParams = z.object({
  device_id: id,
  name: name.optional(),
  code: pin.optional(),
  starts_at: timestamp.optional(),
  ends_at: timestamp.optional(),
  common_code_key: z.string().max(200).nullable().optional(),
  is_external_modification_allowed: qBool.optional(),
  allow_external_modification: qBool.optional(),
  is_one_time_use: qBool.optional(),
  is_offline_access_code: qBool.optional(),
  prefer_native_scheduling: qBool.optional(),
  use_backup_access_code_pool: qBool.optional(),
  preferred_code_length: qInt(1, 16).optional(),
  attempt_for_offline_device: qBool.optional(),
  sync: qBool.optional(),
});

const updateParams = z.object({
  access_code_id: id,
  device_id: id.optional(),
  name: name.optional(),
  code: pin.optional(),
  starts_at: timestamp.nullable().optional(),
  ends_at: timestamp.nullable().optional(),
  type: z.enum(["ongoing", "time_bound"]).optional(),
  is_external_modification_allowed: qBool.optional(),
  allow_external_modification: qBool.optional(),
  is_one_time_use: qBool.optional(),
  prefer_native_scheduling: qBool.optional(),
  use_backup_access_code_pool: qBool.optional(),
  preferred_code_length: qInt(1, 16).optional(),
  is_managed: qBool.optional(),
  sync: qBool.optional(),
});

const listParams = z.object({
  device_id: id.optional(),
  access_code_ids: qArray(id).optional(),
  user_identity_id: id.optional(),
  limit: qInt(1, 10_000).optional(),
  page_cursor: z.string().max(100).nullable().optional(),
  search: z.string().max(200).optional(),
});

const noOffline = (p: { is_offline_access_code?: boolean | undefined }) => {
  if (p.is_offline_access_code) throw invalidInput("is_offline_access_code: these locks take online codes only", { field: "is_offline_access_code" });
};

export function accessCodeRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  return [
    {
      kind: "mutation",
      path: "/access_codes/create",
      params: createParams,
      handle: (p: z.infer<typeof createParams>, tx) => {
        noOffline(p);
        const { allow_external_modification, ...rest } = p;
        const record = createCode(tx, { ...rest, is_external_modification_allowed: p.is_external_modification_allowed ?? allow_external_modification }, ctx.policy);
        return { access_code: shape.code(record) };
      },
    },
    {
      kind: "query",
      path: "/access_codes/get",
      params: z.object({ access_code_id: id.optional(), device_id: id.optional(), code: pin.optional() }),
      handle: (p, store) => {
        const found = p.access_code_id
          ? shape.visibleCodes({ ids: [p.access_code_id] })[0]
          : p.device_id && p.code
            ? shape.visibleCodes({ deviceId: p.device_id }).find((c) => c.code === p.code)
            : undefined;
        if (!p.access_code_id && !(p.device_id && p.code)) throw invalidInput("give access_code_id, or device_id with code");
        if (!found) throw accessCodeNotFound(p.access_code_id ?? "(by device and code)");
        return { access_code: shape.code(found, store.lock(found.deviceId)) };
      },
    },
    {
      kind: "query",
      path: "/access_codes/list",
      params: listParams,
      handle: (p, store) => {
        if (!p.device_id && !p.access_code_ids) throw invalidInput("give device_id or access_code_ids");
        if (p.device_id && !store.lock(p.device_id)) throw invalidInput(`device_id "${p.device_id}" does not match any lock on this hub`, { field: "device_id" });
        let codes = shape.visibleCodes({ ...(p.device_id ? { deviceId: p.device_id } : {}), ...(p.access_code_ids ? { ids: p.access_code_ids } : {}) });
        if (p.search) codes = codes.filter((c) => (c.name ?? "").toLowerCase().includes(p.search!.toLowerCase()));
        const start = p.page_cursor ? Number.parseInt(Buffer.from(p.page_cursor, "base64url").toString(), 10) || 0 : 0;
        const limit = p.limit ?? 500;
        const page = codes.slice(start, start + limit);
        const next = start + limit < codes.length ? Buffer.from(String(start + limit)).toString("base64url") : null;
        return {
          access_codes: page.map((c) => shape.code(c)),
          pagination: { has_next_page: next !== null, next_page_cursor: next, next_page_url: null },
        };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/update",
      params: updateParams,
      handle: (p: z.infer<typeof updateParams>, tx) => {
        const { allow_external_modification, device_id, is_managed, sync, ...rest } = p;
        void sync;
        if (is_managed === false) throw invalidInput("is_managed: converting a managed code to unmanaged is not supported by this hub", { field: "is_managed" });
        const current = requireCode(tx, p.access_code_id);
        if (device_id && device_id !== current.deviceId) throw invalidInput("device_id: an access code cannot move to another lock; delete it and create a new one", { field: "device_id" });
        updateCode(tx, { ...rest, is_external_modification_allowed: p.is_external_modification_allowed ?? allow_external_modification });
        return { action_attempt: actionAttempt(tx, { type: "UPDATE_ACCESS_CODE", deviceId: current.deviceId, accessCodeId: p.access_code_id }) };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/delete",
      params: z.object({ access_code_id: id, device_id: id.optional(), sync: qBool.optional() }),
      handle: (p, tx) => {
        const deviceId = requireCode(tx, p.access_code_id).deviceId;
        deleteCode(tx, p.access_code_id);
        return { action_attempt: actionAttempt(tx, { type: "DELETE_ACCESS_CODE", deviceId, accessCodeId: p.access_code_id }) };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/generate_code",
      params: z.object({ device_id: id }),
      handle: (p, tx) => {
        const lock = requireLock(tx, p.device_id);
        return { generated_code: { device_id: lock.deviceId, code: pickCode(tx, lock) } };
      },
    },
  ];
}
