// The pairing part of the lock-driver contract (protocol.md §7): adding, removing and replacing locks.
// drivers/contract.ts re-exports it: import from there. A driver that can pair exposes
// `LockDriver.pairing`; the hub runs one pairing at a time per radio and keeps the pairing object.
// Everything secret that passes here (PINs, DSKs, QR codes, install codes) must never be logged.
import type { Protocol } from "./contract.js";

/** Security classes spelled as zwave-js names them. */
export type SecurityClassName = "S2_AccessControl" | "S2_Authenticated" | "S2_Unauthenticated" | "S0_Legacy";

/** Why a pairing ended badly (the pairing object's `error.type`). */
export type PairingErrorType = "wrong_pin" | "insecure_inclusion" | "timeout" | "interview_failed" | "not_allowed";

/** How a Z-Wave inclusion secures the lock. "default": S2 when the lock offers it, else S0; never insecure. */
export type InclusionStrategyName = "default" | "s2" | "s0" | "insecure";

/** What the radio reports about a running pairing session, in order. */
export type PairingUpdate =
  /** A lock answered the window; the radio is adding it (Z-Wave: protocol inclusion done, bootstrapping next). */
  | { readonly type: "device_found" }
  /** The lock asked for these classes; the driver grants them all. */
  | { readonly type: "security_requested"; readonly requested: readonly SecurityClassName[] }
  /** Z-Wave S2 Authenticated/Access Control: the 5-digit PIN from the label is needed (session.providePin). */
  | { readonly type: "pin_needed"; readonly partialDsk: string }
  /** Keys are being exchanged (after the PIN, or at once). */
  | { readonly type: "securing" }
  /** The lock is in the network with these keys; its interview follows, ending in `lock_ready` (or interview_failed). */
  | { readonly type: "joined"; readonly radioId: string; readonly granted: readonly SecurityClassName[] }
  | { readonly type: "interview_failed"; readonly radioId: string; readonly message: string }
  /** The lock left the network (exclusion, removal). */
  | { readonly type: "left"; readonly radioId: string }
  /** The session ended with an error; a window that stays open (Zigbee) keeps going. */
  | { readonly type: "failed"; readonly error: PairingErrorType; readonly message: string; readonly radioId?: string }
  /** The radio left pairing mode (window closed, exclusion done, stopped). No update follows. */
  | { readonly type: "closed" }
  /**
   * The controller went away mid-session (stick pulled, connection closed; the driver reopens it): the
   * session is over, whatever it had reached. No update follows.
   */
  | { readonly type: "controller_lost"; readonly message: string };

export type PairingListener = (update: PairingUpdate) => void;

/** A running inclusion, exclusion, replacement or permit-join window. */
export interface PairingSession {
  /** Hands the lock's PIN over; throws PairingError("not_waiting_for_pin") unless a PIN was asked for. */
  providePin(pin: string): void;
  /** Closes the window or aborts bootstrapping; resolves once the radio has left pairing mode. */
  stop(): Promise<void>;
}

export interface IncludeOptions {
  /** Z-Wave only. */
  readonly strategy?: InclusionStrategyName;
  /** Z-Wave: the lock's full DSK (8 blocks of 5 digits); the PIN step is skipped and the DSK is checked. */
  readonly dsk?: string;
  /** Zigbee: only the lock with this install code (zigbee-herdsman's format) may join. */
  readonly installCode?: string;
  /** Zigbee permit-join duration (1..254 s). Z-Wave windows are closed by the hub (session.stop). */
  readonly seconds?: number;
}

export interface SmartStartEntry {
  /** The full DSK (the hub masks it before it leaves the hub). */
  readonly dsk: string;
  readonly status: "active" | "inactive";
  /** Set once the provisioned lock is in the network. */
  readonly radioId?: string;
  readonly securityClasses: readonly SecurityClassName[];
}

/** Z-Wave SmartStart provisioning list. */
export interface SmartStartProvisioning {
  /** Parses the QR code (PairingError "invalid_qr_code" / "not_smart_start") and provisions the lock. */
  add(qrCode: string): Promise<SmartStartEntry>;
  list(): SmartStartEntry[];
  /** Removes the entry with this DSK; false when there is none. */
  remove(dsk: string): boolean;
}

/** What a factory-new simulated lock is (protocol.md §7, /hub/simulate/new_lock). */
export interface NewSimulatedLock {
  readonly protocol: Protocol;
  readonly name: string;
  readonly slots?: number;
  readonly code_lengths?: readonly number[];
  readonly profile?: string;
  /** Z-Wave only; default "s2". */
  readonly security?: "s2" | "s0" | "none";
  /** Z-Wave only: the label carries a SmartStart QR code and the lock joins by itself once provisioned. */
  readonly smart_start?: boolean;
}

/** What the simulated lock's label says (the only place a hub answer carries DSK, PIN, QR or install code). */
export interface SimulatedLockLabel {
  readonly simId: string;
  readonly dsk?: string;
  readonly pin?: string;
  readonly qrCode?: string;
  readonly ieee?: string;
  readonly installCode?: string;
}

/** Factory-new simulated locks and their pairing button. */
export interface PairingSimulator {
  newLock(spec: NewSimulatedLock): Promise<SimulatedLockLabel>;
  /**
   * The lock's button: it joins an open window (or takes a failed lock's place during a replacement), or
   * leaves during an exclusion; "none" when nothing listens; "refused" when the coordinator would not
   * take it (Zigbee: the window asked for another install code). Throws PairingError("unknown_lock").
   */
  pressButton(target: { readonly simId: string } | { readonly radioId: string }): Promise<"joined" | "left" | "replaced" | "none" | "refused">;
}

export interface RadioPairing {
  /** Opens an inclusion (Z-Wave) or permit-join (Zigbee) window. Throws PairingError("busy") while the radio pairs. */
  include(options: IncludeOptions, listener: PairingListener): Promise<PairingSession>;
  /** Z-Wave exclusion: the next lock whose button is pressed leaves (any network). */
  exclude?(listener: PairingListener): Promise<PairingSession>;
  /**
   * Takes a lock out of the network. Zigbee: it is told to leave. Z-Wave: only a failed (dead) lock is
   * removed; a lock that answers gets PairingError("exclusion_required").
   */
  remove(radioId: string): Promise<void>;
  /** Z-Wave: a failed lock is replaced by a new one under the same node id (same radio id). */
  replace?(radioId: string, options: Pick<IncludeOptions, "dsk">, listener: PairingListener): Promise<PairingSession>;
  readonly smartStart?: SmartStartProvisioning;
  /** Inclusions the radio runs by itself (a provisioned SmartStart lock powered up) report here. */
  onUnsolicited(listener: PairingListener): void;
  /** Present only when the radio is simulated. */
  readonly simulator?: PairingSimulator;
}

export type PairingFailureCode =
  | "busy"
  | "exclusion_required"
  | "not_failed"
  | "not_waiting_for_pin"
  | "invalid_dsk"
  | "invalid_qr_code"
  | "not_smart_start"
  | "invalid_install_code"
  | "unknown_lock"
  | "unsupported";

/** A pairing request the radio refused at once (never carries a PIN, DSK or code in its message). */
export class PairingError extends Error {
  constructor(
    readonly code: PairingFailureCode,
    message: string,
  ) {
    super(message);
    this.name = "PairingError";
  }
}
