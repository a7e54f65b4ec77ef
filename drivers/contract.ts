// The one lock-driver contract shared by every radio. A driver knows locks, slots and codes;
// it knows nothing about Seam, access codes or the store (see docs/architecture.md). Its pairing part
// (protocol.md §7) is in contract-pairing.ts and re-exported here: import everything from this file.
import type { RadioPairing } from "./contract-pairing.js";

export * from "./contract-pairing.js";

export type Protocol = "zwave" | "zigbee";

/** Who a lock is. `radioId` is stable across restarts: "zwave:<homeId hex>:<nodeId>" or "zigbee:<ieee>". */
export interface LockIdentity {
  readonly radioId: string;
  readonly protocol: Protocol;
  readonly name: string;
  readonly manufacturer: string | null;
  readonly model: string | null;
  readonly simulated: boolean;
  /** Battery-powered locks are never polled after start-up unless the hub is configured to. */
  readonly isBattery: boolean;
}

/** What a lock can hold, learned from the lock itself (User Code capabilities, Door Lock attributes). */
export interface LockCapabilities {
  /** Usable user-code slots, numbered 1..slotCount. */
  readonly slotCount: number;
  /** Every PIN length the lock accepts, ascending. */
  readonly codeLengths: readonly number[];
  /** Characters a PIN may contain, e.g. "0123456789". */
  readonly charset: string;
  /** The lock can report a checksum over all its user codes (Z-Wave User Code v2). */
  readonly supportsChecksum: boolean;
  /** The lock can enforce a start/end window itself (Schedule Entry Lock CC, Zigbee year-day schedules). */
  readonly supportsNativeSchedule: boolean;
  /**
   * How a write can be proven: "readback" when the lock returns the digits it holds,
   * "status" when it only answers with a status (SendPINOverTheAir off, or no getPinCode answer).
   */
  readonly readback: "digits" | "status_only";
  /**
   * Several codes per write (writeSlots): present when one radio frame can carry more than one code
   * (Z-Wave User Code v2 locks that report multi-code support). Absent: one code per write (Zigbee,
   * most Z-Wave locks), and writeSlots writes them one after another.
   */
  readonly multiCodeWrite?: MultiCodeWrite;
}

/** What one slot physically holds. `code: null` means empty; `code: undefined` means the lock would not say. */
export interface SlotContent {
  readonly slot: number;
  readonly code: string | null | undefined;
}

/** A lock-enforced window for a code. */
export interface SlotSchedule {
  readonly startsAt: Date;
  readonly endsAt: Date;
}

/**
 * How a successful write was confirmed: Supervision success; a read-back (asked for, or the lock's own
 * User Code Report) that matches; the lock's own report that it added a code in that slot (Access
 * Control "new user code added", which User Code v1 locks send after an RF write; a Zigbee lock's RF
 * programming event naming the slot and its digits); a user-code checksum
 * equal to the one the lock must have with the code (a lock that hides digits, batch writes); or a
 * status only (a lock that hides digits shows the slot occupied).
 */
export type WriteProof = "supervision" | "readback" | "notification" | "checksum" | "status";

export type RadioFailure =
  /** The lock refused the code because the same PIN is in another slot. Never retried. */
  | "duplicate"
  /** The lock answered and said no (invalid code, slot not settable). Never retried. */
  | "rejected"
  /** The lock did not answer in time. Retried with backoff by the executor. */
  | "timeout"
  /** The lock is known to be offline / dead. */
  | "offline"
  /** The lock accepted the write but a read-back shows something else. */
  | "mismatch";

export type RadioResult =
  | { readonly ok: true; readonly proof: WriteProof }
  | { readonly ok: false; readonly failure: RadioFailure; readonly message: string };

/** One lock reachable over a radio. All methods may be called only one at a time per lock (the executor serialises). */
export interface LockHandle extends LockStateHandle, BatchWriteHandle {
  readonly identity: LockIdentity;
  capabilities(): LockCapabilities;
  isOnline(): boolean;
  batteryLevel(): number | null;
  /**
   * The highest security the radio link has, as zwave-js names it (`S2_AccessControl`, `S0_Legacy`,
   * `None`, ...), or `network_key` for Zigbee (every frame under the network key); null when unknown.
   */
  securityClass?(): string | null;
  /** Read one slot from the lock (radio traffic). Rejects with RadioError. */
  readSlot(slot: number): Promise<SlotContent>;
  /** Ask the lock for its user-code checksum (radio traffic); null when unsupported. Rejects with RadioError. */
  readChecksum(): Promise<number | null>;
  /** Write a PIN into a slot, optionally with a lock-enforced window, and confirm it. */
  writeSlot(slot: number, code: string, schedule?: SlotSchedule): Promise<RadioResult>;
  /** Clear a slot (and any schedule on it) and confirm it. */
  clearSlot(slot: number): Promise<RadioResult>;
}

/** Events a driver reports. Slot numbers are the lock's own user ids. */
export type DriverEvent =
  | { readonly type: "lock_ready"; readonly lock: LockHandle }
  /** Something changed a slot behind the hub's back; `code` is present when the report carried it. */
  | { readonly type: "slot_changed"; readonly radioId: string; readonly slot: number; readonly code?: string | null; readonly cause: "keypad_added" | "keypad_deleted" | "report" }
  | { readonly type: "all_slots_cleared"; readonly radioId: string }
  /** The lock refused a PIN as a duplicate (Access Control 0x0F, Zigbee status 3, Yale alarm 113). */
  | { readonly type: "duplicate_refused"; readonly radioId: string; readonly slot: number | null }
  | { readonly type: "lock_operation"; readonly radioId: string; readonly action: "locked" | "unlocked"; readonly method: LockMethod; readonly slot: number | null }
  | { readonly type: "availability"; readonly radioId: string; readonly online: boolean }
  | { readonly type: "battery"; readonly radioId: string; readonly level: number }
  | { readonly type: "lock_removed"; readonly radioId: string }
  | LockStateEvent;

export type LockMethod = "keycode" | "manual" | "automatic" | "remote" | "unknown";

export type DriverEventListener = (event: DriverEvent) => void;

/** Faults a simulated lock can be told to show (protocol.md /hub/simulate/lock_faults). */
export interface SimulatedFaults {
  /** The lock stops answering any radio command. */
  readonly unresponsive?: boolean;
  /** The lock answers every write with a refusal. */
  readonly rejects_codes?: boolean;
  /** The lock returns slot status without digits, so writes can only be proven by status. */
  readonly masked_readback?: boolean;
  /** The bolt is stuck: it neither locks nor unlocks, and the lock reports the jam (protocol.md §8). */
  readonly jammed?: boolean;
}

/** Hooks into a simulated lock, for tests and the /hub/simulate paths. Never touches a real lock. */
export interface LockSimulator extends DoorSimulator {
  /** A person at the keypad writes `code` into `slot`; the lock sends the notification a real one sends. */
  keypadSetCode(radioId: string, slot: number, code: string): Promise<void>;
  keypadClearCode(radioId: string, slot: number): Promise<void>;
  /**
   * A person types `code`; returns whether the lock unlocked (it must hold the code, inside any schedule).
   * A code the lock refuses is reported as access denied; too many in a row lock the keypad out (§8).
   */
  keypadUnlock(radioId: string, code: string, at?: Date): Promise<{ unlocked: boolean; slot: number | null }>;
  /** What the simulated lock physically holds, straight from the simulator's memory. */
  physicalSlots(radioId: string): Array<{ slot: number; code: string | null }>;
  setFaults(radioId: string, faults: SimulatedFaults): void;
  /** Take the lock off the air / back on the air / exclude it. */
  disconnect(radioId: string): Promise<void>;
  connect(radioId: string): Promise<void>;
  remove(radioId: string): Promise<void>;
  /** Radio frames exchanged with the simulated lock so far (for benchmarks). */
  frameCount(radioId?: string): number;
}

/** One radio stack. */
export interface LockDriver {
  readonly protocol: Protocol;
  /**
   * Start the radio; resolves when the driver is ready (locks may still be interviewing and arrive via
   * lock_ready). A controller that is not there yet is retried with backoff until it is, or until stop()
   * (start() then rejects). A controller lost later is reopened the same way: its locks report
   * `availability` offline, their handles fail with "offline", and they return as new handles via lock_ready.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  locks(): LockHandle[];
  onEvent(listener: DriverEventListener): void;
  /** Present only when every lock of this driver is simulated. */
  readonly simulator?: LockSimulator;
  /** Adding, removing and replacing locks (contract-pairing.ts). */
  readonly pairing?: RadioPairing;
}

/** Thrown by LockHandle reads when the lock does not answer or answers nonsense. */
export class RadioError extends Error {
  constructor(
    readonly failure: RadioFailure,
    message: string,
  ) {
    super(message);
    this.name = "RadioError";
  }
}

/**
 * Radio time on a simulated network (config `simulation.radio_time`): "instant" answers as fast as the
 * CPU allows (tests), "realistic" adds the airtime, wake-up beams and poll delays of real locks
 * (docs/radio-time.md). Real radios ignore it.
 */
export type RadioTimeSetting = "instant" | "realistic";

/** Configuration of one simulated lock (protocol.md §5, simulation.locks). */
export interface SimulatedLockConfig {
  readonly protocol: Protocol;
  readonly name: string;
  /** A real lock model (drivers/sim/profiles, protocol.md §9): its identity and quirks; the other keys are already merged over its defaults. */
  readonly profile?: string;
  readonly slots: number;
  readonly code_lengths: readonly number[];
  readonly checksum: boolean;
  readonly native_scheduling: boolean;
  readonly masked_readback: boolean;
  /** Battery-powered (default true for simulated locks, like most real ones). */
  readonly battery: boolean;
  /** Seconds after an unlock (with the door closed) before the lock relocks itself; 0 or absent: never. */
  readonly auto_relock_s?: number;
  /** Z-Wave: the lock reports multi-code support (several codes per Extended User Code Set). Default false. */
  readonly multi_code?: boolean;
}

/** The slice of pino a driver uses. PIN codes must never be passed to it. */
export interface DriverLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options every driver factory receives. */
export interface DriverOptions {
  /** Directory the driver may persist into (radio caches, simulated lock memory). Created by the hub (mode 0700). */
  readonly dataDir: string;
  readonly logger: DriverLogger;
  /**
   * Stable seed for simulated networks (the hub id), so simulated radio identities
   * (home id, IEEE addresses) and thus device ids survive restarts.
   */
  readonly simulationSeed: string;
}

// ---- Lock state and remote control (protocol.md §8) ------------------------------------------
// The bolt, the door sensor and remote (un)locking, and the lock's own reports about them: access
// denied, tampering, low battery. Events name what the lock said; the hub turns them into Seam's.

/** What the lock last reported; null where it has not said (or, for the door, has no sensor). */
export interface LockState {
  readonly locked: boolean | null;
  readonly doorOpen: boolean | null;
}

/** What the lock can do over the radio and what it can report, from its command classes / clusters. */
export interface LockControls {
  readonly remoteLock: boolean;
  readonly remoteUnlock: boolean;
  readonly doorSensor: boolean;
}

/**
 * How a lock or unlock was confirmed: Supervision success (Z-Wave), the state report the lock sent
 * after it moved the bolt, or a state read when no report came.
 */
export type OperationProof = "supervision" | "state_report" | "state_read";

export type LockOperationResult =
  | { readonly ok: true; readonly proof: OperationProof }
  | { readonly ok: false; readonly failure: RadioFailure; readonly message: string };

/** The part of LockHandle that is about the bolt and the door. Same call rules as LockHandle. */
export interface LockStateHandle {
  lockControls(): LockControls;
  /** The last state the lock reported, without radio traffic. */
  lockState(): LockState;
  /** Ask the lock for its state (one radio round trip). Rejects with RadioError. */
  readLockState(): Promise<LockState>;
  /**
   * Throw or withdraw the bolt and confirm it. The driver reports the operation once, as a
   * lock_operation with method "remote", whatever mix of reports the lock sends for it.
   */
  setLocked(locked: boolean): Promise<LockOperationResult>;
}

/**
 * Reports about the bolt, the door and the lock's health. A driver reports each operation once
 * (lock_operation, above), whatever mix of notifications and state reports a lock sends for it.
 */
export type LockStateEvent =
  /** The reported state changed (a report, a notification, a read, or the driver's own confirmed command). */
  | { readonly type: "lock_state"; readonly radioId: string; readonly state: LockState }
  /** The lock refused a code at its keypad (or an RF credential); `slot` when it was a known user outside its rights. */
  | { readonly type: "access_denied"; readonly radioId: string; readonly slot: number | null }
  /** Tampering (cover or escutcheon removed, forced door, product moved) or a keypad lockout after too many wrong codes. */
  | { readonly type: "tampered"; readonly radioId: string; readonly cause: "tamper" | "keypad_lockout" }
  /** The lock itself said its battery is low (a low-battery report or notification, not a level). */
  | { readonly type: "battery_low"; readonly radioId: string };

/** Hooks into a simulated lock's bolt, door and body (protocol.md §8 simulation paths). */
export interface DoorSimulator {
  /** Someone turns the inside knob; the lock reports a manual operation (nothing when jammed but a jam). */
  turnThumbTurn(radioId: string, locked: boolean): Promise<void>;
  /** Someone presses the keypad's lock button (Seam's manual_lock_via_keypad). */
  pressKeypadLock(radioId: string): Promise<void>;
  /** The door is opened or closed; the door sensor reports it. An auto-relock waits for a closed door. */
  setDoorOpen(radioId: string, open: boolean): Promise<void>;
  /** Someone removes the lock's cover / escutcheon; the lock reports tampering. */
  tamper(radioId: string): Promise<void>;
  /** The battery now holds `percent`; the lock reports the level (and, below 20%, that it is low). */
  setBatteryLevel(radioId: string, percent: number): Promise<void>;
  /** Where the simulated bolt and door physically are, and how often the bolt moved (for tests). */
  physicalDoor(radioId: string): { readonly locked: boolean; readonly doorOpen: boolean; readonly boltMoves: number };
}

// ---- Batched code writes (issue 15) ---------------------------------------------------------
// Several codes in one radio command where the lock allows it. The planner asks the lock's
// capabilities (multiCodeWrite) how many fit; every radio answers writeSlots, one at a time if it must.

/**
 * The size of a batch as the lock's frame allows it: codes c1..cn fit one write when
 * `batchBytes + Σ (codeBytes + ci.length) <= budgetBytes` (and n <= maxCodes). Z-Wave: the User Code
 * payload one S2/Supervision frame to that lock can carry (drivers/zwave/frame-budget.ts), a count byte
 * per batch, 4 bytes (user id, status, length) per code.
 */
export interface MultiCodeWrite {
  readonly budgetBytes: number;
  readonly batchBytes: number;
  readonly codeBytes: number;
  readonly maxCodes: number;
}

/** Whether these codes fit one batch write of a lock with `limits`. */
export function fitsOneWrite(limits: MultiCodeWrite, codes: readonly string[]): boolean {
  if (codes.length > limits.maxCodes) return false;
  let bytes = limits.batchBytes;
  for (const code of codes) bytes += limits.codeBytes + code.length;
  return bytes <= limits.budgetBytes;
}

/** The part of LockHandle that writes several codes at once. Same call rules as LockHandle. */
export interface BatchWriteHandle {
  /**
   * Write several codes (no schedules) and confirm each, as writeSlot does: one frame where the lock's
   * multiCodeWrite allows it, else one write after another. A batch the radio stack finds too large is
   * split; a batch the lock refuses is written again code by code, except those the lock named as
   * duplicates. One result per write, in the order given.
   */
  writeSlots(writes: readonly SlotWrite[], context?: BatchContext): Promise<readonly RadioResult[]>;
}

/** One code of a batch write. */
export interface SlotWrite {
  readonly slot: number;
  readonly code: string;
}

/** What the caller knows that can prove a batch without reading every slot back. */
export interface BatchContext {
  /**
   * What the caller believes each slot of the lock holds before the batch: a code, null for empty,
   * undefined for not known (never read, or digits the lock hides). Lets a lock that hides digits prove a
   * batch with one checksum read when every other slot is known.
   */
  readonly believed?: (slot: number) => string | null | undefined;
}
