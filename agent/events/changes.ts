/** What one committed transaction changed, published to the doors (state frames) and executors (kicks). */
export class ChangeSet {
  readonly codes = new Set<string>();
  readonly deletedCodes = new Set<string>();
  readonly unmanaged = new Set<string>();
  readonly deletedUnmanaged = new Set<string>();
  readonly devices = new Set<string>();
  readonly deletedDevices = new Set<string>();
  /** Pairing sessions whose object changed (protocol.md §7). */
  readonly pairings = new Set<string>();
  /** Locks whose executor should plan again. */
  readonly kicks = new Set<string>();
  events = 0;

  /** Moves the kicks into a change set of their own (executors hear of a commit before the doors do). */
  takeKicks(): ChangeSet {
    const kicks = new ChangeSet();
    for (const deviceId of this.kicks) kicks.kicks.add(deviceId);
    this.kicks.clear();
    return kicks;
  }

  get empty(): boolean {
    return (
      this.events === 0 &&
      this.kicks.size === 0 &&
      [this.codes, this.deletedCodes, this.unmanaged, this.deletedUnmanaged, this.devices, this.deletedDevices, this.pairings].every((s) => s.size === 0)
    );
  }
}

export type ChangeListener = (changes: ChangeSet) => void;

/** The one in-process bus every feature listens on (zigbee2mqtt-style), fed only after commit. */
export class ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  on(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(changes: ChangeSet): void {
    if (changes.empty) return;
    for (const l of [...this.listeners]) l(changes);
  }
}
