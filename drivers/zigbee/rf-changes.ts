// A lock's own word on a PIN the hub just set or cleared. Many Zigbee keypad locks (Yale, Kwikset,
// Schlage: zigbee-herdsman-converters wires lock_programming_event for them) send a Programming Event
// Notification with source RF after an RF setPinCode / clearPinCode. Shortly after the hub changed that
// slot, such an event is the hub's own change coming back: the proof of the write, not news.
import type { RadioResult } from "../contract.js";
import { failure } from "./door-lock.js";

/** What the lock's programming event said about a slot: its PIN (null when the lock hides digits), or deleted. */
export interface RfChange {
  readonly pin: string | null;
  readonly deleted: boolean;
}

/** An RF event this long after the hub changed the slot is taken as that change's echo. */
const OWN_CHANGE_WINDOW_MS = 5_000;

export class RfChanges {
  private readonly sentAt = new Map<number, number>();
  private readonly heard = new Map<number, RfChange>();
  private waiter: { readonly slot: number; readonly wake: () => void } | null = null;

  /** The hub is about to change `slot`: an RF event for it from now on is the echo. */
  changing(slot: number): void {
    this.sentAt.set(slot, Date.now());
    this.heard.delete(slot);
  }

  /** An RF programming event for `slot`; true when it is the echo of the hub's own change (then it is no news). */
  heardFromLock(slot: number, change: RfChange): boolean {
    const at = this.sentAt.get(slot);
    if (at === undefined || Date.now() - at > OWN_CHANGE_WINDOW_MS) return false;
    this.heard.set(slot, change);
    if (this.waiter?.slot === slot) this.waiter.wake();
    return true;
  }

  /** The lock's event for `slot` since changing(), waiting up to `ms` for it; null when none came. */
  async awaitChange(slot: number, ms: number): Promise<RfChange | null> {
    if (!this.heard.has(slot)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiter = { slot, wake: done };
      });
      this.waiter = null;
    }
    const change = this.heard.get(slot) ?? null;
    this.heard.delete(slot);
    return change;
  }
}

/** What the lock's event proves about a write of `code` (null: a clear) to `slot`. */
export function provenByEvent(slot: number, code: string | null, change: RfChange): RadioResult {
  if (code === null) return change.deleted ? { ok: true, proof: "notification" } : failure("mismatch", `the lock reports slot ${slot} still holds a PIN after clearing`);
  if (change.deleted) return failure("mismatch", `the lock reports slot ${slot} deleted after the write`);
  // A lock that hides digits names the slot only: its success status stays the proof.
  if (change.pin === null) return { ok: true, proof: "status" };
  return change.pin === code ? { ok: true, proof: "notification" } : failure("mismatch", `the lock's programming event for slot ${slot} does not show the written PIN`);
}
