// What a lock says about its bolt and door, reported once. Locks announce an operation with a
// notification (Z-Wave Access Control, Zigbee operation event), a state report, both in either order,
// or nothing but the answer to the hub's own command: this turns any such mix into one lock_state per
// change and one lock_operation per operation. Shared by every radio; no radio types in here.
import type { DriverEventListener, LockMethod, LockState } from "./contract.js";

type Action = "locked" | "unlocked";

/**
 * How far apart two reports of the same operation may be (a notification and the state report of the
 * same turn of the bolt). A second operation of the same kind and method within this time is taken
 * for the first one.
 */
export const SAME_OPERATION_MS = 2_000;
/** How long a bolt change seen only in a state report waits for the notification that names its method. */
export const INFER_AFTER_MS = 800;

const actionOf = (locked: boolean): Action => (locked ? "locked" : "unlocked");

export class LockReports {
  private current: LockState;
  private lastOperation: { action: Action; method: LockMethod; slot: number | null; at: number } | null = null;
  private inferred: { action: Action; timer: NodeJS.Timeout } | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly radioId: string,
    private readonly emit: DriverEventListener,
    initial: LockState = { locked: null, doorOpen: null },
  ) {
    this.current = initial;
  }

  get state(): LockState {
    return this.current;
  }

  /**
   * The lock reported (`"report"`) or was read (`"read"`) to be in this state. A bolt that moved
   * according to a report, with no notification saying how, becomes an operation of unknown method;
   * a read explains nothing (the change may have happened while nobody listened).
   */
  reported(partial: Partial<LockState>, how: "report" | "read"): void {
    const before = this.current.locked;
    this.update(partial);
    const after = this.current.locked;
    if (how === "report" && before !== null && after !== null && before !== after) this.inferLater(actionOf(after));
  }

  /** The lock announced an operation; `slot` is the user whose code did it (keypad operations). */
  announced(locked: boolean, method: LockMethod, slot: number | null): void {
    const action = actionOf(locked);
    this.cancelInferred(action);
    this.update({ locked });
    if (this.isRepeat(action, method, slot)) return;
    this.operation(action, method, slot);
  }

  /** The hub's own setLocked was confirmed by the lock. */
  confirmedRemote(locked: boolean): void {
    this.announced(locked, "remote", null);
  }

  /** Whether the bolt is, or within `ms` is reported, where `locked` says (the proof of a remote operation). */
  reach(locked: boolean, ms: number): Promise<boolean> {
    if (this.current.locked === locked) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (reached: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(reached);
      };
      const check = (): void => {
        if (this.current.locked === locked) done(true);
      };
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(check);
    });
  }

  dispose(): void {
    if (this.inferred) clearTimeout(this.inferred.timer);
    this.inferred = null;
  }

  private update(partial: Partial<LockState>): void {
    const next: LockState = {
      locked: partial.locked !== undefined ? partial.locked : this.current.locked,
      doorOpen: partial.doorOpen !== undefined ? partial.doorOpen : this.current.doorOpen,
    };
    if (next.locked === this.current.locked && next.doorOpen === this.current.doorOpen) return;
    this.current = next;
    this.emit({ type: "lock_state", radioId: this.radioId, state: next });
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * The same operation reported a second way (a notification after our own confirmation, or the
   * reverse): same action and method, soon after, and no other user named.
   */
  private isRepeat(action: Action, method: LockMethod, slot: number | null): boolean {
    const last = this.lastOperation;
    if (last === null || last.action !== action || last.method !== method || Date.now() - last.at >= SAME_OPERATION_MS) return false;
    return slot === null || last.slot === null || slot === last.slot;
  }

  private operation(action: Action, method: LockMethod, slot: number | null): void {
    this.lastOperation = { action, method, slot, at: Date.now() };
    this.emit({ type: "lock_operation", radioId: this.radioId, action, method, slot });
  }

  private inferLater(action: Action): void {
    // Already reported this way (the notification came first): the report is the same operation.
    const last = this.lastOperation;
    if (last && last.action === action && Date.now() - last.at < SAME_OPERATION_MS) return;
    this.cancelInferred(null);
    const timer = setTimeout(() => {
      this.inferred = null;
      if (this.current.locked === (action === "locked")) this.operation(action, "unknown", null);
    }, INFER_AFTER_MS);
    timer.unref();
    this.inferred = { action, timer };
  }

  private cancelInferred(action: Action | null): void {
    if (!this.inferred || (action !== null && this.inferred.action !== action)) return;
    clearTimeout(this.inferred.timer);
    this.inferred = null;
  }
}
