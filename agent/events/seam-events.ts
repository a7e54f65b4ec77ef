import { randomUUID } from "node:crypto";
import type { LockMethod } from "../../drivers/contract.js";
import type { Issue } from "../store/records.js";

/** Seam event types the hub emits. */
export type AccessCodeEventType =
  | "access_code.created"
  | "access_code.changed"
  | "access_code.scheduled_on_device"
  | "access_code.set_on_device"
  | "access_code.removed_from_device"
  | "access_code.delay_in_setting_on_device"
  | "access_code.failed_to_set_on_device"
  | "access_code.deleted"
  | "access_code.delay_in_removing_from_device"
  | "access_code.failed_to_remove_from_device"
  | "access_code.modified_external_to_seam"
  | "access_code.deleted_external_to_seam"
  | "access_code.backup_access_code_pulled"
  | "access_code.unmanaged.converted_to_managed"
  | "access_code.unmanaged.failed_to_convert_to_managed"
  | "access_code.unmanaged.created"
  | "access_code.unmanaged.removed";

export type DeviceEventType =
  | "device.connected"
  | "device.disconnected"
  | "device.removed"
  | "device.added"
  | "device.low_battery"
  | "device.battery_status_changed"
  | "device.tampered"
  | "device.name_changed"
  | "lock.locked"
  | "lock.unlocked"
  | "lock.access_denied";

export type HubEventType = AccessCodeEventType | DeviceEventType;

/** Events that carry the errors and warnings of the objects involved. */
const WITH_ISSUES = new Set<HubEventType>([
  "access_code.delay_in_setting_on_device",
  "access_code.failed_to_set_on_device",
  "access_code.delay_in_removing_from_device",
  "access_code.failed_to_remove_from_device",
  "access_code.unmanaged.failed_to_convert_to_managed",
  "device.disconnected",
]);

export interface EventContext {
  readonly workspaceId: string;
  readonly connectedAccountId: string;
  readonly now: string;
}

export interface EventSubject {
  readonly deviceId: string;
  readonly accessCodeId?: string;
  /** Present on set_on_device, scheduled_on_device and deleted (nullable there). */
  readonly code?: string | null;
  readonly deviceIssues?: readonly Issue[];
  readonly codeIssues?: readonly Issue[];
  readonly method?: LockMethod;
  readonly accessCodeIsManaged?: boolean;
  readonly backupAccessCodeId?: string;
  readonly batteryLevel?: number;
  readonly batteryStatus?: BatteryStatus;
  /** The LOCK_DOOR / UNLOCK_DOOR attempt behind a remote lock.locked / lock.unlocked. */
  readonly actionAttemptId?: string;
  readonly occurredAt?: string;
  /** device.name_changed: the lock's new display name. */
  readonly deviceName?: string;
}

export type BatteryStatus = "critical" | "low" | "good" | "full";

/** Seam's battery status for a level 0..1. */
export function batteryStatus(level: number): BatteryStatus {
  if (level < 0.1) return "critical";
  if (level < 0.25) return "low";
  if (level < 0.95) return "good";
  return "full";
}

const issueView = (i: Issue) => ({ created_at: i.createdAt, message: i.message, ...(i.level === "error" ? { error_code: i.code } : { warning_code: i.code }) });

/** Build a Seam-shaped event body (validated against @seamapi/types in tests). */
export function buildEvent(type: HubEventType, ctx: EventContext, s: EventSubject): Record<string, unknown> {
  const body: Record<string, unknown> = {
    event_id: randomUUID(),
    event_type: type,
    workspace_id: ctx.workspaceId,
    connected_account_id: ctx.connectedAccountId,
    device_id: s.deviceId,
    created_at: ctx.now,
    occurred_at: s.occurredAt ?? ctx.now,
  };
  if (s.accessCodeId) body.access_code_id = s.accessCodeId;
  if (s.code !== undefined) body.code = s.code;
  if (s.method) body.method = s.method;
  if (s.accessCodeIsManaged !== undefined) body.access_code_is_managed = s.accessCodeIsManaged;
  if (s.backupAccessCodeId) body.backup_access_code_id = s.backupAccessCodeId;
  if (s.batteryLevel !== undefined) body.battery_level = s.batteryLevel;
  if (s.batteryStatus !== undefined) body.battery_status = s.batteryStatus;
  if (s.actionAttemptId) body.action_attempt_id = s.actionAttemptId;
  if (s.deviceName !== undefined) body.device_name = s.deviceName;
  if (type === "device.disconnected") body.error_code = "device_disconnected";
  if (WITH_ISSUES.has(type)) {
    const dev = s.deviceIssues ?? [];
    body.connected_account_errors = [];
    body.connected_account_warnings = [];
    body.device_errors = dev.filter((i) => i.level === "error").map(issueView);
    body.device_warnings = dev.filter((i) => i.level === "warning").map(issueView);
    if (type.startsWith("access_code.")) {
      const own = s.codeIssues ?? [];
      body.access_code_errors = own.filter((i) => i.level === "error").map(issueView);
      body.access_code_warnings = own.filter((i) => i.level === "warning").map(issueView);
    }
  }
  return body;
}
