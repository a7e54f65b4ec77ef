import { z } from "zod";
import { createCode, deleteCode, pickCode, requireCode, requireLock, updateCode } from "../../codes/service.js";
import type { Tx } from "../../events/journal.js";
import type { CodeRecord } from "../../store/records.js";
import type { ApiContext, Shaper } from "../context.js";
import { accessCodeNotFound, ApiError, invalidInput } from "../errors.js";
import { paginate, pageParams } from "../paginate.js";
import { id, name, onlyFalse, onlyTrue, pin, qArray, qBool, qInt, refused, syncParam, timestamp } from "../params.js";
import type { Route } from "../router.js";
import { shapeGeneratedCode } from "../shape.js";
import { actionAttempt } from "./action-attempts.js";

/** Parameters Seam defines for codes this hub's locks cannot take (offline codes) or concepts it does not have. */
export const OFFLINE_ONLY = "these locks take online access codes only";
export const codeFlags = {
  is_external_modification_allowed: qBool.optional(),
  allow_external_modification: qBool.optional(),
  is_one_time_use: qBool.optional(),
  prefer_native_scheduling: qBool.optional(),
  use_backup_access_code_pool: qBool.optional(),
  is_offline_access_code: onlyFalse(OFFLINE_ONLY).optional(),
  use_offline_access_code: onlyFalse(OFFLINE_ONLY).optional(),
  max_time_rounding: refused(`time rounding applies to offline access codes; ${OFFLINE_ONLY}`),
  attempt_for_offline_device: qBool.optional(),
};

const createParams = z.object({
  device_id: id,
  name: name.optional(),
  code: pin.optional(),
  starts_at: timestamp.optional(),
  ends_at: timestamp.optional(),
  common_code_key: z.string().max(200).nullable().optional(),
  preferred_code_length: qInt(1, 16).optional(),
  sync: syncParam.optional(),
  ...codeFlags,
});

const updateParams = z.object({
  access_code_id: id,
  device_id: id.optional(),
  name: name.optional(),
  code: pin.optional(),
  starts_at: timestamp.nullable().optional(),
  ends_at: timestamp.nullable().optional(),
  type: z.enum(["ongoing", "time_bound"]).optional(),
  preferred_code_length: refused("an update keeps the code unless you give one; pass code, or create a new access code to have one generated"),
  is_managed: onlyTrue("a managed access code cannot be turned back into an unmanaged one").optional(),
  sync: syncParam.optional(),
  ...codeFlags,
});

const listParams = z.object({
  device_id: id.optional(),
  access_code_ids: qArray(id).optional(),
  search: z.string().min(1).max(200).optional(),
  access_grant_id: refused("access grants are a Seam cloud feature; the hub has none"),
  access_method_id: refused("access methods are a Seam cloud feature; the hub has none"),
  customer_key: refused("customers are a Seam cloud feature; the hub has none"),
  user_identifier_key: refused("user identities are a Seam cloud feature; the hub has none"),
  ...pageParams,
});

/** Seam requires a time-bound code's window whole: starts_at and ends_at together, or neither. */
export function requireWholeWindow(p: { starts_at?: string | null | undefined; ends_at?: string | null | undefined }): void {
  if (p.starts_at && !p.ends_at) throw invalidInput("ends_at is required with starts_at: a time-bound access code has both; omit both for an ongoing code", { field: "ends_at" });
  if (p.ends_at && !p.starts_at) throw invalidInput("starts_at is required with ends_at: a time-bound access code has both; omit both for an ongoing code", { field: "starts_at" });
}

/** attempt_for_offline_device: false asks the hub not to take a code for a lock that is not answering now. */
export function refuseIfOffline(tx: Tx, deviceId: string, attempt: boolean | undefined): void {
  const lock = requireLock(tx, deviceId);
  if (attempt === false && (!lock.online || lock.removed)) {
    throw new ApiError(400, "device_offline", `device_id "${deviceId}" is not answering the hub's radio; with attempt_for_offline_device false the hub does not take the code`);
  }
}

/** Case-insensitive match on the name, the code or the id (Seam's `search` on access codes). */
export const matchesSearch = (c: { accessCodeId: string; name: string | null; code: string | null }, search: string) => {
  const q = search.toLowerCase();
  return [c.name, c.code, c.accessCodeId].some((v) => v !== null && v.toLowerCase().includes(q));
};

/** How Seam's get paths name a code: access_code_id, or device_id with code (both checked when given). */
export interface CodeLookup {
  readonly access_code_id?: string | undefined;
  readonly device_id?: string | undefined;
  readonly code?: string | undefined;
}

/** The code a get names, managed or unmanaged: `byId` and `onDevice` look it up in the right table. */
export function findByLookup<T extends { readonly deviceId: string; readonly code: string | null }>(p: CodeLookup, byId: (id: string) => T | undefined, onDevice: (deviceId: string) => readonly T[]): T {
  if (!p.access_code_id && !(p.device_id && p.code)) throw invalidInput("give access_code_id, or device_id with code", { field: "access_code_id" });
  const found = p.access_code_id ? byId(p.access_code_id) : onDevice(p.device_id!).find((c) => c.code === p.code);
  if (!found || (p.device_id && found.deviceId !== p.device_id) || (p.code !== undefined && found.code !== p.code)) throw accessCodeNotFound(p.access_code_id ?? "(by device and code)");
  return found;
}

export function accessCodeRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  const findCode = (p: CodeLookup): CodeRecord =>
    findByLookup(p, (id) => shape.visibleCodes({ ids: [id] })[0], (deviceId) => shape.visibleCodes({ deviceId }));
  return [
    {
      kind: "mutation",
      path: "/access_codes/create",
      params: createParams,
      handle: (p: z.infer<typeof createParams>, tx) => {
        requireWholeWindow(p);
        refuseIfOffline(tx, p.device_id, p.attempt_for_offline_device);
        const { allow_external_modification, is_offline_access_code, use_offline_access_code, max_time_rounding, attempt_for_offline_device, sync, ...rest } = p;
        void [is_offline_access_code, use_offline_access_code, max_time_rounding, attempt_for_offline_device, sync];
        const record = createCode(tx, { ...rest, is_external_modification_allowed: p.is_external_modification_allowed ?? allow_external_modification }, ctx.policy);
        return {
          access_code: shape.code(record),
          action_attempt: actionAttempt(tx, { type: "CREATE_ACCESS_CODE", deviceId: record.deviceId, accessCodeId: record.accessCodeId }),
        };
      },
    },
    {
      kind: "query",
      path: "/access_codes/get",
      params: z.object({ access_code_id: id.optional(), device_id: id.optional(), code: pin.optional() }),
      handle: (p, store) => {
        const found = findCode(p);
        return { access_code: shape.code(found, store.lock(found.deviceId)) };
      },
    },
    {
      kind: "query",
      path: "/access_codes/list",
      params: listParams,
      handle: (p: z.infer<typeof listParams>, store) => {
        if (!p.device_id && !p.access_code_ids) throw invalidInput("give device_id or access_code_ids", { field: "device_id" });
        if (p.device_id && !store.lock(p.device_id)) throw invalidInput(`device_id "${p.device_id}" does not match any lock on this hub`, { field: "device_id" });
        let codes = shape.visibleCodes({ ...(p.device_id ? { deviceId: p.device_id } : {}), ...(p.access_code_ids ? { ids: p.access_code_ids } : {}) });
        if (p.search) codes = codes.filter((c) => matchesSearch(c, p.search!));
        const { page, pagination } = paginate(codes, p);
        return { access_codes: page.map((c) => shape.code(c)), pagination };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/update",
      params: updateParams,
      handle: (p: z.infer<typeof updateParams>, tx) => {
        const current = requireCode(tx, p.access_code_id);
        if (p.device_id && p.device_id !== current.deviceId) throw invalidInput("device_id: an access code cannot move to another lock; delete it and create a new one", { field: "device_id" });
        const ongoing = p.type === "ongoing";
        const startsAt = ongoing ? null : p.starts_at !== undefined ? p.starts_at : current.startsAt;
        const endsAt = ongoing ? null : p.ends_at !== undefined ? p.ends_at : current.endsAt;
        if (startsAt && !endsAt) throw invalidInput("ends_at is required with starts_at: a time-bound access code has both", { field: "ends_at" });
        refuseIfOffline(tx, current.deviceId, p.attempt_for_offline_device);
        const { allow_external_modification, device_id, is_managed, sync, is_offline_access_code, use_offline_access_code, max_time_rounding, attempt_for_offline_device, preferred_code_length, ...rest } = p;
        void [device_id, is_managed, sync, is_offline_access_code, use_offline_access_code, max_time_rounding, attempt_for_offline_device, preferred_code_length];
        updateCode(tx, { ...rest, is_external_modification_allowed: p.is_external_modification_allowed ?? allow_external_modification });
        return { action_attempt: actionAttempt(tx, { type: "UPDATE_ACCESS_CODE", deviceId: current.deviceId, accessCodeId: p.access_code_id }) };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/delete",
      params: z.object({ access_code_id: id, device_id: id.optional(), sync: syncParam.optional() }),
      handle: (p, tx) => {
        const current = requireCode(tx, p.access_code_id);
        if (p.device_id && p.device_id !== current.deviceId) throw invalidInput(`device_id: access code "${p.access_code_id}" is on another lock`, { field: "device_id" });
        deleteCode(tx, p.access_code_id);
        return { action_attempt: actionAttempt(tx, { type: "DELETE_ACCESS_CODE", deviceId: current.deviceId, accessCodeId: p.access_code_id }) };
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/generate_code",
      params: z.object({ device_id: id }),
      handle: (p, tx) => {
        const lock = requireLock(tx, p.device_id);
        return { generated_code: shapeGeneratedCode(lock.deviceId, pickCode(tx, lock), ctx.config.workspace_id, tx.nowIso) };
      },
    },
  ];
}
