// The mechanics of a simulated door lock, the same on every radio: a bolt, a door sensor, a thumb
// turn, auto-relock, and a keypad that shuts itself off after too many wrong codes. Each radio's
// simulation turns what happens here into the frames its real locks send (a DoorReporter).
// Simulation only: production code never imports this.

/** Who or what moved the bolt. */
export type OperationSource = "rf" | "keypad" | "keypad_button" | "thumb_turn" | "auto";

export interface DoorReporter {
  /** The bolt moved to `locked` (`slot`: the user whose code did it, for keypad operations). */
  operated(locked: boolean, source: OperationSource, slot: number | null): void;
  /** The bolt was asked to move and could not: it is jammed. */
  jammed(locked: boolean, source: OperationSource): void;
  doorChanged(open: boolean): void;
  /** A code was refused: unknown (`slot` null) or a known user outside its schedule. */
  denied(slot: number | null): void;
  /** Too many wrong codes in a row: the keypad is off for a while. */
  keypadLockedOut(): void;
  /** The bolt or the door changed: persist them as a real lock's memory would. */
  changed(state: DoorState): void;
}

export interface DoorState {
  readonly locked: boolean;
  readonly doorOpen: boolean;
}

/** A lock out of the box: bolted, its door closed. */
export const FACTORY_DOOR: DoorState = { locked: true, doorOpen: false };

/** Consecutive wrong codes before the keypad shuts off (Yale's and the ZCL's default is 5). */
export const WRONG_CODE_LIMIT = 5;
/** How long the keypad stays off after WRONG_CODE_LIMIT wrong codes. */
export const KEYPAD_LOCKOUT_MS = 30_000;

/** Below this charge a simulated lock also says its battery is low (as locks warn at 15-25%). */
export const LOW_BATTERY_PERCENT = 20;

/** A code typed at the keypad, as the radio's own memory matched it: null when no user holds it. */
export type CodeMatch = { readonly slot: number; readonly allowed: boolean } | null;

export interface DoorMechanismOptions {
  readonly initial: DoorState;
  /** 0: no auto-relock. */
  readonly autoRelockMs: number;
  /** The jammed fault: the bolt does not move. */
  readonly isJammed: () => boolean;
  readonly report: DoorReporter;
}

export class DoorMechanism {
  /** How often the bolt actually moved, for tests that must see an operation happen once. */
  boltMoves = 0;
  private state: DoorState;
  private relockTimer: NodeJS.Timeout | null = null;
  private wrongCodes = 0;
  private lockedOutUntil = 0;

  private readonly autoRelockMs: number;
  private readonly report: DoorReporter;

  constructor(private readonly options: DoorMechanismOptions) {
    this.state = options.initial;
    this.autoRelockMs = options.autoRelockMs;
    this.report = options.report;
    if (!this.state.locked) this.armRelock();
  }

  get locked(): boolean {
    return this.state.locked;
  }

  get doorOpen(): boolean {
    return this.state.doorOpen;
  }

  /**
   * Moves the bolt; false when jammed (the jam is reported instead). Asked for the position it
   * already has, a lock still reports the operation, as real ones do.
   */
  operate(locked: boolean, source: OperationSource, slot: number | null = null): boolean {
    if (this.options.isJammed()) {
      this.report.jammed(locked, source);
      return false;
    }
    const moved = this.state.locked !== locked;
    if (moved) {
      this.boltMoves++;
      this.state = { ...this.state, locked };
    }
    if (locked) this.cancelRelock();
    else this.armRelock();
    // The operation first, then the new state (as Yale and Z-Wave locks send them).
    this.report.operated(locked, source, slot);
    if (moved) this.report.changed(this.state);
    return true;
  }

  setDoorOpen(open: boolean): void {
    if (this.state.doorOpen === open) return;
    this.set({ ...this.state, doorOpen: open });
    this.report.doorChanged(open);
    // An auto-relock counts from the moment the door is shut again.
    if (!open && !this.state.locked) this.armRelock();
  }

  /** A person typed a code; a match that may open unlocks, anything else is refused (and counted). */
  codeEntered(match: CodeMatch, now = Date.now()): { unlocked: boolean; slot: number | null } {
    if (now < this.lockedOutUntil) return { unlocked: false, slot: null };
    if (match?.allowed) {
      this.wrongCodes = 0;
      return this.operate(false, "keypad", match.slot) ? { unlocked: true, slot: match.slot } : { unlocked: false, slot: null };
    }
    this.report.denied(match?.slot ?? null);
    if (match === null && ++this.wrongCodes >= WRONG_CODE_LIMIT) {
      this.wrongCodes = 0;
      this.lockedOutUntil = now + KEYPAD_LOCKOUT_MS;
      this.report.keypadLockedOut();
    }
    return { unlocked: false, slot: null };
  }

  dispose(): void {
    this.cancelRelock();
  }

  private set(next: DoorState): void {
    this.state = next;
    this.report.changed(next);
  }

  private armRelock(): void {
    this.cancelRelock();
    if (this.autoRelockMs <= 0) return;
    this.relockTimer = setTimeout(() => {
      this.relockTimer = null;
      // With the door open the bolt would hit the frame: the lock waits until the door is closed.
      if (!this.state.locked && !this.state.doorOpen) this.operate(true, "auto");
    }, this.autoRelockMs);
    this.relockTimer.unref();
  }

  private cancelRelock(): void {
    if (this.relockTimer) clearTimeout(this.relockTimer);
    this.relockTimer = null;
  }
}
