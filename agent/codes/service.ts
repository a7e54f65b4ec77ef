import { randomUUID } from "node:crypto";
import { accessCodeNotFound, ApiError, deviceNotFound, invalidInput } from "../api/errors.js";
import type { Tx } from "../events/journal.js";
import type { CodeRecord, LockRecord, PendingMutation } from "../store/records.js";
import { codeMisfit, effectiveCodeLengths } from "./constraints.js";
import { generateCode } from "./generate.js";
import { programTime, type TimingPolicy } from "./timing.js";

export interface CreateInput {
  readonly device_id: string;
  readonly name?: string | null;
  readonly code?: string;
  readonly starts_at?: string;
  readonly ends_at?: string;
  readonly common_code_key?: string | null;
  readonly is_external_modification_allowed?: boolean;
  readonly is_one_time_use?: boolean;
  readonly is_offline_access_code?: boolean;
  readonly prefer_native_scheduling?: boolean;
  readonly use_backup_access_code_pool?: boolean;
  readonly preferred_code_length?: number;
}

export interface UpdateInput {
  readonly access_code_id: string;
  readonly name?: string | null;
  readonly code?: string;
  readonly starts_at?: string | null;
  readonly ends_at?: string | null;
  readonly type?: "ongoing" | "time_bound";
  readonly is_external_modification_allowed?: boolean;
  readonly is_one_time_use?: boolean;
  readonly prefer_native_scheduling?: boolean;
  readonly use_backup_access_code_pool?: boolean;
  readonly preferred_code_length?: number;
}

export function requireLock(tx: Tx, deviceId: string): LockRecord {
  const lock = tx.store.lock(deviceId);
  if (!lock) throw deviceNotFound(deviceId);
  return lock;
}

export function requireCode(tx: Tx, accessCodeId: string): CodeRecord {
  const code = tx.store.code(accessCodeId);
  if (!code || (code.isBackup && code.backupState === "pool")) throw accessCodeNotFound(accessCodeId);
  return code;
}

/** Codes already on (or bound for) a lock, managed or not; a new code must differ from all of them. */
export function codesInUse(tx: Tx, deviceId: string, exceptId?: string): Set<string> {
  const taken = new Set<string>();
  for (const c of tx.store.codes({ deviceId })) if (c.accessCodeId !== exceptId && c.desired === "present") taken.add(c.code);
  for (const u of tx.store.unmanaged({ deviceId })) if (u.code && u.accessCodeId !== exceptId) taken.add(u.code);
  return taken;
}

export function checkCodeFits(tx: Tx, lock: LockRecord, code: string, exceptId?: string): void {
  const misfit = codeMisfit(code, lock);
  if (misfit) throw invalidInput(misfit, { field: "code" });
  if (codesInUse(tx, lock.deviceId, exceptId).has(code)) {
    throw new ApiError(400, "duplicate_access_code", "code is already on this lock (as a managed or unmanaged access code); choose another or omit code to have one generated", { field: "code" });
  }
}

export function pickCode(tx: Tx, lock: LockRecord, preferredLength?: number): string {
  const code = generateCode({ lengths: effectiveCodeLengths(lock), charset: lock.capabilities.charset, taken: codesInUse(tx, lock.deviceId), ...(preferredLength ? { preferredLength } : {}) });
  if (!code) throw invalidInput("no unused code of an accepted length is left on this lock", { field: "code" });
  return code;
}

function checkWindow(startsAt: string | null | undefined, endsAt: string | null | undefined, now: number): void {
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) throw invalidInput("ends_at must be later than starts_at", { field: "ends_at" });
  if (endsAt && Date.parse(endsAt) <= now) throw invalidInput("ends_at must be in the future", { field: "ends_at" });
}

const normalise = (t: string | null | undefined) => (t ? new Date(t).toISOString() : null);

export function createCode(tx: Tx, input: CreateInput, policy: TimingPolicy, extra: Partial<CodeRecord> = {}, opts: { silent?: boolean } = {}): CodeRecord {
  const lock = requireLock(tx, input.device_id);
  checkWindow(input.starts_at, input.ends_at, tx.now);
  if (input.code !== undefined) checkCodeFits(tx, lock, input.code);
  const code = input.code ?? pickCode(tx, lock, input.preferred_code_length);
  const startsAt = input.ends_at && !input.starts_at ? tx.nowIso : normalise(input.starts_at);
  const record: CodeRecord = {
    accessCodeId: randomUUID(),
    deviceId: lock.deviceId,
    name: input.name ?? null,
    code,
    startsAt,
    endsAt: normalise(input.ends_at),
    status: "setting",
    desired: "present",
    slot: null,
    wasOnLock: false,
    windowOpened: false,
    isExternalModificationAllowed: input.is_external_modification_allowed ?? false,
    isOneTimeUse: input.is_one_time_use ?? false,
    isOfflineAccessCode: false,
    preferNativeScheduling: input.prefer_native_scheduling ?? true,
    useBackupAccessCodePool: input.use_backup_access_code_pool ?? false,
    isBackup: false,
    backupState: null,
    pulledBackupAccessCodeId: null,
    commonCodeKey: input.common_code_key ?? null,
    isScheduledOnDevice: false,
    errors: [],
    warnings: [],
    pendingMutations: [],
    attemptStartedAt: tx.now,
    attempts: 0,
    nextAttemptAt: null,
    gaveUp: false,
    createdAt: tx.nowIso,
    updatedAt: tx.nowIso,
    ...extra,
  };
  if (programTime(record, lock, policy) > tx.now) Object.assign(record, { status: "unset", attemptStartedAt: null });
  tx.store.insertCode(record);
  // Pool backups stay internal (no events) until pulled.
  if (!opts.silent) tx.emit("access_code.created", { deviceId: lock.deviceId, accessCodeId: record.accessCodeId });
  tx.code(record.accessCodeId, lock.deviceId);
  return record;
}

export function updateCode(tx: Tx, input: UpdateInput): CodeRecord {
  const current = requireCode(tx, input.access_code_id);
  if (current.desired === "absent") throw invalidInput("access code is being deleted and cannot be updated", { field: "access_code_id" });
  const lock = requireLock(tx, current.deviceId);
  const ongoing = input.type === "ongoing";
  const startsAt = ongoing ? null : input.starts_at !== undefined ? normalise(input.starts_at) : current.startsAt;
  const endsAt = ongoing ? null : input.ends_at !== undefined ? normalise(input.ends_at) : current.endsAt;
  if (input.type === "time_bound" && !endsAt) throw invalidInput("a time_bound code needs ends_at", { field: "ends_at" });
  checkWindow(startsAt, endsAt, tx.now);
  const code = input.code ?? current.code;
  if (input.code !== undefined && input.code !== current.code) checkCodeFits(tx, lock, input.code, current.accessCodeId);
  const name = input.name !== undefined ? input.name : current.name;

  const pending: PendingMutation[] = current.pendingMutations.filter((m) => !(m.mutation_code === "updating_code" && code !== current.code) && !(m.mutation_code === "updating_time_frame" && (startsAt !== current.startsAt || endsAt !== current.endsAt)));
  if (code !== current.code) pending.push({ mutation_code: "updating_code", created_at: tx.nowIso, message: "Pushing the new code to the lock.", from: { code: current.code }, to: { code } });
  if (startsAt !== current.startsAt || endsAt !== current.endsAt) pending.push({ mutation_code: "updating_time_frame", created_at: tx.nowIso, message: "Applying the new time frame on the lock.", from: { starts_at: current.startsAt, ends_at: current.endsAt }, to: { starts_at: startsAt, ends_at: endsAt } });
  const lockChange = code !== current.code || startsAt !== current.startsAt || endsAt !== current.endsAt;
  const patch: Partial<CodeRecord> = {
    name,
    code,
    startsAt,
    endsAt,
    isExternalModificationAllowed: input.is_external_modification_allowed ?? current.isExternalModificationAllowed,
    isOneTimeUse: input.is_one_time_use ?? current.isOneTimeUse,
    preferNativeScheduling: input.prefer_native_scheduling ?? current.preferNativeScheduling,
    useBackupAccessCodePool: input.use_backup_access_code_pool ?? current.useBackupAccessCodePool,
    pendingMutations: lockChange ? pending : current.pendingMutations,
    windowOpened: startsAt !== current.startsAt || endsAt !== current.endsAt ? false : current.windowOpened,
    updatedAt: tx.nowIso,
  };
  // A new value for a code the lock holds is "setting" from this commit on: until the lock confirms it, the
  // old value still in the slot is the hub's own pending update, not an external change (a slot read
  // in between, e.g. the start-up check, would otherwise report modified_external_to_seam).
  const rewriting = code !== current.code && current.slot !== null && (current.status === "set" || current.status === "unset");
  if (rewriting) Object.assign(patch, { status: "setting" as const });
  if (lockChange || current.gaveUp) {
    // A changed code is a fresh attempt: earlier refusals and give-ups no longer apply. Its delay clock
    // starts now if it is (still or again) being set; otherwise when the planner starts setting it.
    Object.assign(patch, {
      gaveUp: false,
      errors: current.errors.filter((i) => !["failed_to_set_on_device", "duplicate_code_on_device", "code_modified_external_to_seam"].includes(i.code)),
      warnings: current.warnings.filter((i) => !["delay_in_setting_on_device", "code_modified_external_to_seam"].includes(i.code)),
      attemptStartedAt: rewriting || current.status === "setting" ? tx.now : null,
      attempts: 0,
      nextAttemptAt: null,
    });
  }
  tx.store.updateCode(current.accessCodeId, patch);
  tx.emit("access_code.changed", { deviceId: current.deviceId, accessCodeId: current.accessCodeId });
  tx.code(current.accessCodeId, current.deviceId);
  return tx.store.code(current.accessCodeId)!;
}

export function deleteCode(tx: Tx, accessCodeId: string): void {
  const current = requireCode(tx, accessCodeId);
  if (current.desired === "absent") return;
  tx.store.updateCode(accessCodeId, { desired: "absent", gaveUp: false, attemptStartedAt: null, nextAttemptAt: null, attempts: 0, updatedAt: tx.nowIso });
  tx.code(accessCodeId, current.deviceId);
}
