import type { LockCapabilities, LockControls, LockState, Protocol, WriteProof } from "../../drivers/contract.js";

/** An error or warning the hub shows on an access code or device, in Seam's vocabulary. */
export interface Issue {
  readonly level: "error" | "warning";
  readonly code: string;
  readonly message: string;
  readonly createdAt: string;
  /** Extra Seam fields for this issue (e.g. change_type on code_modified_external_to_seam). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type PendingMutation =
  | { readonly mutation_code: "updating_code"; readonly created_at: string; readonly message: string; readonly from: { code: string | null }; readonly to: { code: string | null } }
  | { readonly mutation_code: "updating_name"; readonly created_at: string; readonly message: string; readonly from: { name: string | null }; readonly to: { name: string | null } }
  | {
      readonly mutation_code: "updating_time_frame";
      readonly created_at: string;
      readonly message: string;
      readonly from: { starts_at: string | null; ends_at: string | null };
      readonly to: { starts_at: string | null; ends_at: string | null };
    };

export interface LockRecord {
  readonly deviceId: string;
  readonly radioId: string;
  readonly protocol: Protocol;
  readonly name: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly simulated: boolean;
  readonly isBattery: boolean;
  readonly capabilities: LockCapabilities;
  /** Lengths narrowed by /access_codes/report_device_constraints; null when not reported. */
  readonly reportedCodeLengths: readonly number[] | null;
  readonly online: boolean;
  readonly removed: boolean;
  readonly batteryLevel: number | null;
  /** The hub's own last-known User Code checksum (never zwave-js's cache). */
  readonly checksum: number | null;
  /** Every slot has been read at least once, so the slots table is a full picture. */
  readonly slotsSynced: boolean;
  readonly readbackProof: WriteProof | null;
  readonly errors: readonly Issue[];
  readonly createdAt: string;
  /** The name a user gave the lock (/devices/update); null: the radio's or configuration's name. */
  readonly displayName?: string | null;
  /** Seam's device custom_metadata, set by /devices/update. */
  readonly customMetadata?: Readonly<Record<string, string | boolean>>;
  /** What the lock last reported about its bolt and door (protocol.md §8); null where it has not said. */
  readonly lockState: LockState;
  /** What the lock can do remotely and report, as its driver says. */
  readonly lockControls: LockControls;
  /** Low battery was announced (device.low_battery), so it is announced once per low spell. */
  readonly batteryLow: boolean;
}

export type CodeStatus = "setting" | "set" | "unset" | "removing" | "unknown";

export interface CodeRecord {
  readonly accessCodeId: string;
  readonly deviceId: string;
  readonly name: string | null;
  readonly code: string;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly status: CodeStatus;
  /** "absent" once deletion was asked for (or the window ended): the row goes when the slot is clear. */
  readonly desired: "present" | "absent";
  readonly slot: number | null;
  readonly wasOnLock: boolean;
  /**
   * The start transition fired (program time reached). Latched, so a wall clock stepping back
   * (NTP correction) never takes a started code off the lock again; reset when the window is updated.
   */
  readonly windowOpened: boolean;
  readonly isExternalModificationAllowed: boolean;
  readonly isOneTimeUse: boolean;
  readonly isOfflineAccessCode: boolean;
  readonly preferNativeScheduling: boolean;
  readonly useBackupAccessCodePool: boolean;
  readonly isBackup: boolean;
  readonly backupState: "pool" | "pulled" | null;
  readonly pulledBackupAccessCodeId: string | null;
  readonly commonCodeKey: string | null;
  readonly isScheduledOnDevice: boolean;
  readonly errors: readonly Issue[];
  readonly warnings: readonly Issue[];
  readonly pendingMutations: readonly PendingMutation[];
  /** Epoch ms when the current setting/removing began, for delay warnings and giving up. */
  readonly attemptStartedAt: number | null;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  /** The hub stopped trying (definite refusal or failure_after_ms) until the code is changed. */
  readonly gaveUp: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SlotRecord {
  readonly deviceId: string;
  readonly slot: number;
  /** null: empty. A masked slot holds something whose digits the lock would not tell. */
  readonly code: string | null;
  readonly masked: boolean;
  readonly schedule: { readonly startsAt: string; readonly endsAt: string } | null;
  readonly observedAt: string;
}

export interface UnmanagedRecord {
  readonly accessCodeId: string;
  readonly deviceId: string;
  readonly slot: number;
  readonly code: string | null;
  readonly name: string | null;
  /** Deletion was asked for: the hub clears the slot, then the record goes. */
  readonly deleting: boolean;
  readonly createdAt: string;
}

export interface EventRecord {
  readonly seq: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly ackedAt: string | null;
}

/**
 * An action attempt (Seam's `action_attempt`): one per accepted create/update/delete/convert request,
 * and per lock/unlock. Access-code attempts succeed once the hub has durably accepted the change;
 * others may stay `pending` until an executor completes them (updateActionAttempt).
 */
export interface ActionAttemptRecord {
  readonly id: string;
  /** Seam's action_type, e.g. CREATE_ACCESS_CODE, DELETE_ACCESS_CODE, LOCK_DOOR. */
  readonly type: string;
  readonly status: "pending" | "success" | "error";
  readonly deviceId: string | null;
  readonly accessCodeId: string | null;
  /** Seam's `result` once it succeeded (shown as null while pending or failed). */
  readonly result: Record<string, unknown>;
  readonly error: { readonly type: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * A LOCK_DOOR / UNLOCK_DOOR action attempt still to be carried out on its lock (protocol.md §8). The row
 * goes when the attempt ends; the planner turns it into an operate_lock step, or fails it.
 */
export interface LockOperationRecord {
  readonly actionAttemptId: string;
  readonly deviceId: string;
  /** true: lock; false: unlock. */
  readonly locked: boolean;
  /** Epoch ms of the request. */
  readonly requestedAt: number;
  /** Epoch ms after which the hub gives up: a door must never open long after it was asked to. */
  readonly deadlineAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  /** What the last attempt ended with, for the error the action attempt gets at the deadline. */
  readonly lastError: { readonly type: string; readonly message: string } | null;
}
