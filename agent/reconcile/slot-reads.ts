// Slots a lock said changed (a keypad notification, a report without digits) and that the hub must
// read. A read that fails is tried again, a bounded number of times: the notification will not come
// again, so dropping the read would hide the keypad's code until the next full sync.

/** Reads of one requested slot, the first included, before it is left to the next sync. */
const SLOT_READ_ATTEMPTS = 3;

export class SlotReads {
  /** Slot -> failed attempts so far, in request order. */
  private readonly pending = new Map<number, number>();

  /** Read these soon; news of a slot already waiting keeps its place and starts its attempts afresh. */
  request(slots: Iterable<number>): void {
    for (const slot of slots) this.pending.set(slot, 0);
  }

  get size(): number {
    return this.pending.size;
  }

  /** The slot to read next, taken out of the queue; hand its failures back to `failed` if the read fails. */
  take(): { readonly slot: number; readonly failures: number } | undefined {
    const first = this.pending.entries().next().value;
    if (!first) return undefined;
    this.pending.delete(first[0]);
    return { slot: first[0], failures: first[1] };
  }

  /**
   * The read failed: true when it will be tried again (at the back of the queue). News of the slot that
   * came during the read has queued it afresh already.
   */
  failed(read: { readonly slot: number; readonly failures: number }): boolean {
    if (this.pending.has(read.slot)) return true;
    const failures = read.failures + 1;
    if (failures >= SLOT_READ_ATTEMPTS) return false;
    this.pending.set(read.slot, failures);
    return true;
  }
}
