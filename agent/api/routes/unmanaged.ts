import { z } from "zod";
import type { Tx } from "../../events/journal.js";
import type { UnmanagedRecord } from "../../store/records.js";
import type { ApiContext, Shaper } from "../context.js";
import { accessCodeNotFound, invalidInput } from "../errors.js";
import { id, name, pin, qBool, refused, syncParam } from "../params.js";
import { paginate, pageParams } from "../paginate.js";
import type { Store } from "../../store/store.js";
import { findByLookup, matchesSearch, type CodeLookup } from "./access-codes.js";
import type { Route } from "../router.js";
import { requireSimulated, requireTypable } from "./devices.js";
import { actionAttempt } from "./action-attempts.js";
import { unmanagedId } from "../../reconcile/observe.js";

function requireUnmanaged(tx: Tx, accessCodeId: string): UnmanagedRecord {
  const u = tx.store.unmanagedCode(accessCodeId);
  if (!u) throw accessCodeNotFound(accessCodeId);
  return u;
}

/** Adopt a code found on the lock: same id, same slot, now managed (protocol.md §3). */
export function convertToManaged(tx: Tx, u: UnmanagedRecord, allowExternal: boolean): void {
  if (u.code === null) {
    // The lock will not say its digits, so the hub cannot vouch for the code.
    tx.emit("access_code.unmanaged.failed_to_convert_to_managed", {
      deviceId: u.deviceId,
      accessCodeId: u.accessCodeId,
      codeIssues: [{ level: "error", code: "access_code_state_unconfirmed", message: "The lock does not reveal this code's digits, so it cannot be managed.", createdAt: tx.nowIso }],
    });
    return;
  }
  tx.store.deleteUnmanaged(u.accessCodeId);
  tx.deletedUnmanaged(u.accessCodeId);
  tx.store.insertCode({
    accessCodeId: u.accessCodeId,
    deviceId: u.deviceId,
    name: u.name,
    code: u.code,
    startsAt: null,
    endsAt: null,
    status: "set",
    desired: "present",
    slot: u.slot,
    wasOnLock: true,
    windowOpened: false,
    isExternalModificationAllowed: allowExternal,
    isOneTimeUse: false,
    isOfflineAccessCode: false,
    preferNativeScheduling: true,
    useBackupAccessCodePool: false,
    isBackup: false,
    backupState: null,
    pulledBackupAccessCodeId: null,
    commonCodeKey: null,
    isScheduledOnDevice: false,
    errors: [],
    warnings: [],
    pendingMutations: [],
    attemptStartedAt: null,
    attempts: 0,
    nextAttemptAt: null,
    gaveUp: false,
    createdAt: u.createdAt,
    updatedAt: tx.nowIso,
  });
  tx.emit("access_code.unmanaged.converted_to_managed", { deviceId: u.deviceId, accessCodeId: u.accessCodeId });
  tx.code(u.accessCodeId, u.deviceId);
}

export function unmanagedRoutes(ctx: ApiContext, shape: Shaper): Route[] {
  // force: Seam's switch for taking a code over from another workspace; the hub has one workspace, so a
  // conversion never needs forcing and force true or false converts the same way (docs/api.md).
  const convertParams = z.object({ access_code_id: id, is_external_modification_allowed: qBool.optional(), allow_external_modification: qBool.optional(), force: qBool.optional(), sync: syncParam.optional() });
  const updateParams = z.object({ access_code_id: id, is_managed: qBool, name: name.optional(), is_external_modification_allowed: qBool.optional(), allow_external_modification: qBool.optional(), force: qBool.optional() });
  const listParams = z.object({ device_id: id, search: z.string().min(1).max(200).optional(), user_identifier_key: refused("user identities are a Seam cloud feature; the hub has none"), ...pageParams });
  const findUnmanaged = (store: Store, p: CodeLookup): UnmanagedRecord =>
    findByLookup(p, (id) => store.unmanagedCode(id), (deviceId) => store.unmanaged({ deviceId }));
  return [
    {
      kind: "query",
      path: "/access_codes/unmanaged/list",
      params: listParams,
      handle: (p: z.infer<typeof listParams>, store) => {
        if (!store.lock(p.device_id)) throw invalidInput(`device_id "${p.device_id}" does not match any lock on this hub`, { field: "device_id" });
        let codes = store.unmanaged({ deviceId: p.device_id });
        if (p.search) codes = codes.filter((u) => matchesSearch(u, p.search!));
        const { page, pagination } = paginate(codes, p);
        return { access_codes: page.map((u) => shape.unmanaged(u)), pagination };
      },
    },
    {
      kind: "query",
      path: "/access_codes/unmanaged/get",
      params: z.object({ access_code_id: id.optional(), device_id: id.optional(), code: pin.optional() }),
      handle: (p, store) => ({ access_code: shape.unmanaged(findUnmanaged(store, p)) }),
    },
    {
      kind: "mutation",
      path: "/access_codes/unmanaged/update",
      params: updateParams,
      handle: (p: z.infer<typeof updateParams>, tx) => {
        const u = requireUnmanaged(tx, p.access_code_id);
        const allow = p.is_external_modification_allowed ?? p.allow_external_modification;
        if (!p.is_managed && allow !== undefined) {
          throw invalidInput("is_external_modification_allowed applies when converting the code (is_managed: true); an unmanaged code is never restored by the hub", { field: p.is_external_modification_allowed !== undefined ? "is_external_modification_allowed" : "allow_external_modification" });
        }
        if (p.name !== undefined) {
          tx.store.updateUnmanaged(u.accessCodeId, { name: p.name });
          tx.unmanaged(u.accessCodeId);
        }
        if (p.is_managed) convertToManaged(tx, { ...u, name: p.name !== undefined ? p.name : u.name }, allow ?? false);
        return {};
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/unmanaged/convert_to_managed",
      params: convertParams,
      handle: (p: z.infer<typeof convertParams>, tx) => {
        const u = requireUnmanaged(tx, p.access_code_id);
        convertToManaged(tx, u, p.is_external_modification_allowed ?? p.allow_external_modification ?? false);
        return {};
      },
    },
    {
      kind: "mutation",
      path: "/access_codes/unmanaged/delete",
      params: z.object({ access_code_id: id, sync: syncParam.optional() }),
      handle: (p, tx) => {
        const u = requireUnmanaged(tx, p.access_code_id);
        tx.store.updateUnmanaged(u.accessCodeId, { deleting: true });
        tx.kick(u.deviceId);
        return { action_attempt: actionAttempt(tx, { type: "DELETE_ACCESS_CODE", deviceId: u.deviceId, accessCodeId: u.accessCodeId }) };
      },
    },
    {
      kind: "query",
      path: "/access_codes/simulate/create_unmanaged_access_code",
      params: z.object({ device_id: id, name: z.string().max(200).optional(), code: pin }),
      handle: async (p, store) => {
        const { lock, sim } = requireSimulated(ctx, store, p.device_id);
        requireTypable(p.code, lock);
        const owned = new Set(store.codes({ deviceId: lock.deviceId }).map((c) => c.slot));
        const physical = sim.physicalSlots(lock.radioId);
        const free = physical.find((s) => s.code === null && !owned.has(s.slot));
        if (!free) throw invalidInput("the simulated lock has no free slot for another code", { field: "device_id" });
        if (physical.some((s) => s.code === p.code)) throw invalidInput("code is already on this lock", { field: "code" });
        await sim.keypadSetCode(lock.radioId, free.slot, p.code);
        const record = { accessCodeId: unmanagedId(lock.deviceId, free.slot, p.code), deviceId: lock.deviceId, slot: free.slot, code: p.code, name: p.name ?? null, deleting: false, createdAt: new Date(ctx.clock.now()).toISOString() };
        return { access_code: shape.unmanaged(record) };
      },
    },
  ];
}
