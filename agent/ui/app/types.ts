// The slices of Seam's objects (and the hub's own) the page reads. Everything is optional where the
// hub's shape is still moving (protocol.md §7, §8), and read tolerantly.

export interface Issue {
  readonly error_code?: string;
  readonly warning_code?: string;
  readonly message?: string;
  readonly created_at?: string;
}

export interface Device {
  readonly device_id: string;
  readonly display_name: string;
  readonly device_type?: string;
  readonly properties: {
    readonly online?: boolean;
    readonly name?: string;
    readonly manufacturer?: string;
    readonly model?: { readonly display_name?: string; readonly manufacturer_display_name?: string };
    readonly battery_level?: number | null;
    readonly locked?: boolean | null;
    readonly door_open?: boolean;
    readonly max_active_codes_supported?: number;
    readonly supported_code_lengths?: readonly number[];
  };
  readonly errors?: readonly Issue[];
  readonly warnings?: readonly Issue[];
  readonly capabilities_supported?: readonly string[];
  readonly can_remotely_lock?: boolean;
  readonly can_remotely_unlock?: boolean;
}

export interface AccessCode {
  readonly access_code_id: string;
  readonly device_id: string;
  readonly name: string | null;
  readonly code: string | null;
  readonly status: string;
  readonly type?: string;
  readonly starts_at?: string | null;
  readonly ends_at?: string | null;
  readonly is_one_time_use?: boolean;
  readonly is_backup?: boolean;
  readonly common_code_key?: string | null;
  readonly created_at?: string;
  readonly errors?: readonly Issue[];
  readonly warnings?: readonly Issue[];
  readonly is_managed?: boolean;
}

export interface SeamEvent {
  readonly event_id: string;
  readonly event_type: string;
  readonly created_at: string;
  readonly occurred_at?: string;
  readonly device_id?: string;
  readonly access_code_id?: string;
  readonly method?: string;
  readonly [key: string]: unknown;
}

export type { SlotMapBody as SlotMap, SlotView } from "../../api/slot-map";

export interface HubLockEntry {
  readonly device_id: string;
  readonly name?: string;
  readonly protocol?: string;
  readonly online?: boolean;
  readonly removed?: boolean;
  readonly queue_depth?: number;
  /** Not served yet by every hub: the lock's highest granted security class (zwave-js names). */
  readonly security_class?: string | null;
  readonly granted_security_classes?: readonly string[];
}

export interface HubStatus {
  readonly hub_id?: string;
  readonly version?: string;
  readonly uptime_s?: number;
  readonly time?: string;
  readonly cloud?: { readonly state?: string; readonly connects?: number };
  readonly mqtt?: { readonly state?: string; readonly connects?: number };
  readonly radios?: Readonly<Record<string, { readonly locks?: number; readonly simulated?: boolean; readonly state?: string; readonly error?: string }>>;
  readonly locks?: readonly HubLockEntry[];
  readonly access_codes?: Readonly<Record<string, number>>;
  readonly pending_events?: number;
}

/** protocol.md §7. */
export interface Pairing {
  readonly pairing_id: string;
  readonly protocol: "zwave" | "zigbee";
  readonly kind: "include" | "exclude" | "replace";
  readonly status: "waiting_for_device" | "pin_needed" | "securing" | "interviewing" | "succeeded" | "failed" | "stopped" | "expired";
  readonly started_at?: string;
  readonly expires_at?: string;
  readonly requested_security_classes?: readonly string[];
  readonly granted_security_classes?: readonly string[];
  readonly partial_dsk?: string;
  readonly device_ids?: readonly string[];
  readonly error?: { readonly type: string; readonly message: string };
}

export interface ProvisioningEntry {
  readonly dsk: string;
  readonly status?: string;
  readonly device_id?: string;
}

/** protocol.md §8. */
export interface ActionAttempt {
  readonly action_attempt_id: string;
  readonly action_type: string;
  readonly status: "pending" | "success" | "error";
  readonly error?: { readonly type?: string; readonly message?: string } | null;
}

/** A change notice on the live channel: what changed, never the objects (the page reads those through the router). */
export interface ChangeNotice {
  readonly device_ids: readonly string[];
  readonly access_code_ids: readonly string[];
  readonly unmanaged_access_code_ids: readonly string[];
  readonly deleted: { readonly device_ids: readonly string[]; readonly access_code_ids: readonly string[]; readonly unmanaged_access_code_ids: readonly string[] };
  readonly events: number;
}
