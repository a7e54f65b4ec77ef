// Plain words for the hub's codes (Seam's error, warning, status and event vocabulary). Anything not
// listed falls back to the hub's own message, shown as text.
import type { Issue } from "./types";

const ISSUES: Record<string, string> = {
  device_offline: "Offline: the lock is not answering the hub's radio. Check its batteries and its distance to the hub.",
  device_removed: "Removed: the lock has left the hub's network.",
  empty_backup_access_code_pool: "No backup codes are ready on this lock.",
  failed_to_set_on_device: "The lock refused this code, or never confirmed it.",
  failed_to_remove_from_device: "The lock did not confirm that this code was removed.",
  no_space_for_access_code_on_device: "The lock has no free slot; the code is programmed as soon as one frees up.",
  duplicate_code_on_device: "The lock already holds this PIN in another slot.",
  code_modified_external_to_seam: "Changed at the keypad or by another app.",
  delay_in_setting_on_device: "Taking longer than usual to program on the lock.",
  delay_in_removing_from_device: "Taking longer than usual to remove from the lock.",
};

export function issueText(i: Issue): string {
  const code = i.error_code ?? i.warning_code ?? "";
  return ISSUES[code] ?? i.message ?? code;
}

const STATUS: Record<string, string> = {
  setting: "Programming…",
  set: "On the lock",
  unset: "Not on the lock",
  removing: "Removing…",
  unknown: "Unknown",
};

export const statusText = (s: string): string => STATUS[s] ?? s;

const EVENTS: Record<string, string> = {
  "access_code.created": "Code created",
  "access_code.changed": "Code changed",
  "access_code.set_on_device": "Code programmed on the lock",
  "access_code.scheduled_on_device": "Code scheduled on the lock",
  "access_code.removed_from_device": "Code removed from the lock",
  "access_code.deleted": "Code deleted",
  "access_code.failed_to_set_on_device": "The lock did not take a code",
  "access_code.failed_to_remove_from_device": "The lock did not remove a code",
  "access_code.delay_in_setting_on_device": "A code is slow to program",
  "access_code.delay_in_removing_from_device": "A code is slow to remove",
  "access_code.modified_external_to_seam": "Code changed at the keypad",
  "access_code.deleted_external_to_seam": "Code cleared at the keypad",
  "access_code.backup_access_code_pulled": "Backup code handed out",
  "access_code.unmanaged.created": "Code found on the lock (set at the keypad or by another app)",
  "access_code.unmanaged.removed": "Unmanaged code gone from the lock",
  "access_code.unmanaged.converted_to_managed": "Unmanaged code taken over by the hub",
  "access_code.unmanaged.failed_to_convert_to_managed": "Unmanaged code could not be taken over",
  "lock.locked": "Locked",
  "lock.unlocked": "Unlocked",
  "lock.access_denied": "Wrong code entered",
  "device.added": "Lock added",
  "device.removed": "Lock removed",
  "device.connected": "Lock back online",
  "device.disconnected": "Lock offline",
  "device.low_battery": "Battery low",
  "device.battery_status_changed": "Battery level changed",
  "device.tampered": "Tampering reported",
  "device.name_changed": "Lock renamed",
};

export const eventText = (type: string): string => EVENTS[type] ?? type;

const METHODS: Record<string, string> = { remote: "from the hub", keycode: "with a code", manual: "by hand", automatic: "automatically", unknown: "" };
export const methodText = (m: string | undefined): string => (m ? (METHODS[m] ?? m) : "");

const PAIRING: Record<string, string> = {
  waiting_for_device: "Waiting for the lock: press its pairing button now.",
  pin_needed: "Enter the 5-digit PIN printed on the lock (the first block of its DSK).",
  securing: "Exchanging security keys with the lock…",
  interviewing: "Reading what the lock can do…",
  succeeded: "Done.",
  failed: "Failed.",
  stopped: "Stopped.",
  expired: "The pairing window closed.",
};
export const pairingText = (s: string): string => PAIRING[s] ?? s;

const RADIOS: Record<string, string> = { zwave: "Z-Wave", zigbee: "Zigbee" };
export const radioName = (p: string | undefined): string => (p ? (RADIOS[p] ?? p) : "unknown radio");

const SECURITY: Record<string, string> = {
  S2_AccessControl: "S2 Access Control",
  S2_Authenticated: "S2 Authenticated",
  S2_Unauthenticated: "S2 Unauthenticated",
  S0_Legacy: "S0 (legacy)",
  None: "none (insecure)",
  network_key: "Zigbee network key",
};
export const securityText = (s: string | null | undefined): string => (s ? (SECURITY[s] ?? s) : "not reported");

const LINKS: Record<string, string> = { connected: "connected", connecting: "connecting…", disconnected: "disconnected (retrying)", auth_failed: "refused: the token is not accepted", stopped: "stopped", not_configured: "not configured" };
export const linkText = (s: string | undefined): string => (s ? (LINKS[s] ?? s) : "unknown");

/** A time in the viewer's locale, with a relative hint. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(s)) return "";
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} days`;
}
