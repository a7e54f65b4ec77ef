// The body of /hub/devices/slots (agent/api/routes/slots.ts). Types only and no imports: the installer
// page (agent/ui/app) reads the same declaration.

export type SlotHolder = "managed" | "backup" | "unmanaged" | "free" | "unidentified";

export interface SlotView {
  readonly slot: number;
  /** managed: an access code of the hub's; backup: a pre-programmed backup pool code (hidden in Seam until pulled); unmanaged: put there by someone else; unidentified: the lock holds something the hub has not classified yet. */
  readonly holder: SlotHolder;
  readonly access_code_id?: string;
  /** For a backup pool code (whose access code object is hidden): its status. */
  readonly status?: string;
  /** What the hub last read from the lock in this slot: digits, something masked, empty, or never read. */
  readonly on_lock: "code" | "masked" | "empty" | "not_read";
  readonly observed_at?: string;
  /** A window programmed on the lock itself (native scheduling). */
  readonly schedule_on_lock?: { readonly starts_at: string; readonly ends_at: string };
  /** When the holder last changed (the access code's last update, or when the unmanaged code appeared). */
  readonly changed_at?: string;
}

export interface SlotMapBody {
  readonly device_id: string;
  readonly slot_count: number;
  readonly slots_used: number;
  readonly slots_synced: boolean;
  readonly slots: readonly SlotView[];
}
