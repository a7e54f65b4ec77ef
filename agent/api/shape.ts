import { randomUUID } from "node:crypto";
import type { ActionAttemptRecord, Issue, CodeRecord, LockRecord, UnmanagedRecord, PendingMutation } from "../store/records.js";
import { effectiveCodeLengths } from "../codes/constraints.js";
import { programTime } from "../codes/timing.js";
import { batteryStatus } from "../events/seam-events.js";

export type SeamObject = Record<string, unknown>;

const codeIssue = (i: Issue) => ({
  ...(i.extra ?? {}),
  message: i.message,
  created_at: i.createdAt,
  ...(i.level === "error" ? { error_code: i.code, is_access_code_error: true as const } : { warning_code: i.code }),
});
const deviceIssue = (i: Issue) => ({ message: i.message, created_at: i.createdAt, error_code: i.code, is_device_error: true as const });

/** Errors a device shows: stored ones (removed, empty backup pool) plus offline, derived from the live flag. */
export function deviceIssues(lock: LockRecord, nowIso: string): Issue[] {
  const issues = [...lock.errors];
  if (!lock.online && !lock.removed) issues.push({ level: "error", code: "device_offline", message: "The lock is not answering the hub's radio.", createdAt: nowIso });
  return issues;
}

/**
 * Seam's `device_type` for a manufacturer; locks of makers Seam has no type for are reported by radio
 * (docs/api.md). Radios often name the parent company or another brand of it (zwave-js: "Allegion" for
 * Schlage; Zigbee: "Weiser", Kwikset's Canadian brand; zwave-js's manufacturer table: "U-Tec Group" for Ultraloq).
 */
export function deviceType(lock: LockRecord): string {
  const m = (lock.manufacturer ?? "").toLowerCase();
  for (const [needle, type] of [
    ["kwikset", "kwikset_lock"],
    ["weiser", "kwikset_lock"],
    ["schlage", "schlage_lock"],
    ["allegion", "schlage_lock"],
    ["yale", "yale_lock"],
    ["assa", "yale_lock"],
    ["august", "august_lock"],
    ["ultraloq", "ultraloq_lock"],
    ["u-tec", "ultraloq_lock"],
    ["lockly", "lockly_lock"],
    ["nuki", "nuki_lock"],
  ] as const) {
    if (m.includes(needle)) return type;
  }
  // Seam has no generic Z-Wave/Zigbee lock type; smartthings_lock is Seam's type for hub-attached radio locks.
  return "smartthings_lock";
}

/** The name a user gave the lock (/devices/update), else the radio's or configuration's name. */
export const displayName = (lock: LockRecord): string => lock.displayName ?? lock.name;

export function shapeDevice(lock: LockRecord, ctx: { workspaceId: string; connectedAccountId: string; nowIso: string; allowRemoteUnlock: boolean }): SeamObject {
  const caps = lock.capabilities;
  const lengths = effectiveCodeLengths(lock);
  const errors = deviceIssues(lock, ctx.nowIso).map(deviceIssue);
  const name = displayName(lock);
  return {
    device_id: lock.deviceId,
    device_type: deviceType(lock),
    display_name: name,
    ...(lock.displayName ? { nickname: lock.displayName } : {}),
    properties: {
      online: lock.online && !lock.removed,
      name,
      appearance: { name },
      manufacturer: lock.manufacturer ?? (lock.protocol === "zwave" ? "Z-Wave" : "Zigbee"),
      model: { display_name: lock.model ?? `${lock.protocol === "zwave" ? "Z-Wave" : "Zigbee"} lock`, manufacturer_display_name: lock.manufacturer ?? "" },
      battery_level: lock.batteryLevel,
      ...(lock.batteryLevel !== null ? { battery: { level: lock.batteryLevel, status: batteryStatus(lock.batteryLevel) } } : {}),
      supported_code_lengths: lengths,
      max_active_codes_supported: caps.slotCount,
      code_constraints: CODE_CONSTRAINTS,
      supports_backup_access_code_pool: true,
      supports_accessory_keypad: false,
      has_native_entry_events: true,
      ...lockStateProperties(lock),
      online_access_codes_enabled: true,
      offline_access_codes_enabled: false,
    },
    errors,
    warnings: [],
    capabilities_supported: ["access_code", "lock"],
    can_program_online_access_codes: true,
    can_program_offline_access_codes: false,
    can_remotely_lock: lock.lockControls.remoteLock,
    can_remotely_unlock: lock.lockControls.remoteUnlock && ctx.allowRemoteUnlock,
    space_ids: [],
    custom_metadata: lock.customMetadata ?? {},
    is_managed: true,
    workspace_id: ctx.workspaceId,
    connected_account_id: ctx.connectedAccountId,
    created_at: lock.createdAt,
  };
}


/** `locked` and `door_open` as the lock last reported them (protocol.md §8); left out while unknown. */
function lockStateProperties(lock: LockRecord): { locked?: boolean; door_open?: boolean } {
  const { locked, doorOpen } = lock.lockState;
  return { ...(locked !== null ? { locked } : {}), ...(lock.lockControls.doorSensor && doorOpen !== null ? { door_open: doorOpen } : {}) };
}

/** Rules the hub enforces on codes it generates, in Seam's constraint vocabulary (the same for every lock). */
const CODE_CONSTRAINTS = [{ constraint_type: "no_all_same_digits" }, { constraint_type: "no_ascending_or_descending_sequence" }];

export interface CodeShapeContext {
  readonly workspaceId: string;
  readonly nowMs: number;
  readonly lock: LockRecord | undefined;
  readonly programAheadMs: number;
  readonly nativeAheadMs: number;
  readonly backupAvailable: boolean;
}

export function pendingMutations(code: CodeRecord, ctx: CodeShapeContext): PendingMutation[] | Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (code.desired === "absent") out.push({ mutation_code: "deleting", created_at: code.updatedAt, message: "Removing the code from the lock." });
  else {
    if (code.status === "setting" && !code.wasOnLock) out.push({ mutation_code: "creating", created_at: code.createdAt, message: "Programming the code on the lock." });
    if (code.startsAt && ctx.lock) {
      const at = programTime(code, ctx.lock, { programAheadMs: ctx.programAheadMs, nativeAheadMs: ctx.nativeAheadMs });
      if (at > ctx.nowMs && !code.wasOnLock) out.push({ mutation_code: "deferring_creation", created_at: code.createdAt, message: "Waiting until closer to starts_at to program the code.", scheduled_at: new Date(at).toISOString() });
    }
    out.push(...code.pendingMutations);
  }
  return out;
}

export function shapeAccessCode(code: CodeRecord, ctx: CodeShapeContext): SeamObject {
  const nowIso = new Date(ctx.nowMs).toISOString();
  const devErrors = ctx.lock ? deviceIssues(ctx.lock, nowIso).filter((i) => i.code === "device_offline" || i.code === "device_removed") : [];
  return {
    access_code_id: code.accessCodeId,
    device_id: code.deviceId,
    workspace_id: ctx.workspaceId,
    name: code.name,
    code: code.code,
    common_code_key: code.commonCodeKey,
    type: code.startsAt || code.endsAt ? "time_bound" : "ongoing",
    ...(code.startsAt || code.endsAt ? { starts_at: code.startsAt, ends_at: code.endsAt } : {}),
    // Deletion asked for: "removing" from that commit on (protocol.md §3), whatever the slot still holds.
    status: code.desired === "absent" ? "removing" : code.status,
    created_at: code.createdAt,
    errors: [...code.errors.filter((i) => i.level === "error").map(codeIssue), ...devErrors.map(deviceIssue)],
    warnings: code.warnings.filter((i) => i.level === "warning").map(codeIssue),
    is_managed: true,
    is_scheduled_on_device: code.isScheduledOnDevice,
    is_waiting_for_code_assignment: false,
    is_backup_access_code_available: ctx.backupAvailable,
    is_backup: code.isBackup,
    pulled_backup_access_code_id: code.pulledBackupAccessCodeId,
    is_external_modification_allowed: code.isExternalModificationAllowed,
    is_one_time_use: code.isOneTimeUse,
    is_offline_access_code: code.isOfflineAccessCode,
    pending_mutations: pendingMutations(code, ctx),
  };
}

/**
 * /access_codes/generate_code: Seam's OpenAPI types `generated_code` as an access_code, its docs show
 * `{ device_id, code }`. The hub answers an access_code that carries both: a code no access code holds
 * yet, under an id that is never stored (docs/api.md).
 */
export function shapeGeneratedCode(deviceId: string, code: string, workspaceId: string, nowIso: string): SeamObject {
  return {
    access_code_id: randomUUID(),
    device_id: deviceId,
    workspace_id: workspaceId,
    name: null,
    code,
    common_code_key: null,
    type: "ongoing",
    status: "unset",
    created_at: nowIso,
    errors: [],
    warnings: [],
    is_managed: true,
    is_scheduled_on_device: false,
    is_waiting_for_code_assignment: false,
    is_backup_access_code_available: false,
    is_external_modification_allowed: false,
    is_one_time_use: false,
    is_offline_access_code: false,
    pending_mutations: [],
  };
}

export function shapeUnmanaged(u: UnmanagedRecord, workspaceId: string): SeamObject {
  return {
    access_code_id: u.accessCodeId,
    device_id: u.deviceId,
    workspace_id: workspaceId,
    name: u.name,
    code: u.code,
    type: "ongoing",
    status: "set",
    created_at: u.createdAt,
    errors: [],
    warnings: [],
    is_managed: false,
  };
}

/** Seam's `action_attempt`: `result` only once it succeeded, `error` only once it failed (schemas.action_attempt). */
export function shapeActionAttempt(a: ActionAttemptRecord): SeamObject {
  return {
    action_attempt_id: a.id,
    action_type: a.type,
    status: a.status,
    result: a.status === "success" ? a.result : null,
    error: a.status === "error" ? (a.error ?? { type: "unknown_error", message: "The action failed." }) : null,
  };
}
