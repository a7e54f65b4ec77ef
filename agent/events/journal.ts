import type { Clock } from "../util/clock.js";
import { iso } from "../util/clock.js";
import type { Store } from "../store/store.js";
import type { WalSync } from "../store/wal-sync.js";
import { ChangeBus, ChangeSet } from "./changes.js";
import { buildEvent, type EventSubject, type HubEventType } from "./seam-events.js";

/** One open transaction: state writes, events appended to the outbox, and the change set to publish. */
export class Tx {
  readonly changes = new ChangeSet();
  readonly now: number;
  constructor(
    readonly store: Store,
    private readonly ids: { workspaceId: string; connectedAccountId: string },
    now: number,
  ) {
    this.now = now;
  }
  private iso: string | null = null;
  get nowIso(): string {
    return (this.iso ??= iso(this.now));
  }
  emit(type: HubEventType, subject: EventSubject): Record<string, unknown> {
    const body = buildEvent(type, { workspaceId: this.ids.workspaceId, connectedAccountId: this.ids.connectedAccountId, now: this.nowIso }, subject);
    this.store.appendEvent(body.event_id as string, type, body);
    this.changes.events++;
    return body;
  }
  code(accessCodeId: string, deviceId: string): void {
    this.changes.codes.add(accessCodeId);
    this.changes.kicks.add(deviceId);
  }
  deletedCode(accessCodeId: string): void {
    this.changes.codes.delete(accessCodeId);
    this.changes.deletedCodes.add(accessCodeId);
  }
  unmanaged(accessCodeId: string): void {
    this.changes.unmanaged.add(accessCodeId);
  }
  deletedUnmanaged(accessCodeId: string): void {
    this.changes.unmanaged.delete(accessCodeId);
    this.changes.deletedUnmanaged.add(accessCodeId);
  }
  device(deviceId: string): void {
    this.changes.devices.add(deviceId);
  }
  deletedDevice(deviceId: string): void {
    this.changes.devices.delete(deviceId);
    this.changes.deletedDevices.add(deviceId);
    this.changes.kicks.delete(deviceId);
  }
  pairing(pairingId: string): void {
    this.changes.pairings.add(pairingId);
  }
  kick(deviceId: string): void {
    this.changes.kicks.add(deviceId);
  }
}

/**
 * Runs domain mutations as single SQLite transactions and publishes what changed only after
 * the commit is durable, so no door ever reports a state the disk does not hold.
 */
export class Journal {
  constructor(
    readonly store: Store,
    readonly bus: ChangeBus,
    readonly clock: Clock,
    private readonly ids: { workspaceId: string; connectedAccountId: string },
    private readonly walSync: WalSync | null = null,
  ) {}

  /**
   * For requests the hub acknowledges: commit, flush the WAL off the event loop, and only then answer
   * and tell the doors (nothing is acknowledged or sent upstream before it is on disk). Executors are
   * kicked at commit, so the radio work overlaps the flush instead of waiting on it (docs/durability.md).
   */
  async runDurable<T>(fn: (tx: Tx) => T): Promise<T> {
    if (!this.walSync) return this.run(fn);
    const { tx, result } = this.commit(fn, true);
    this.bus.publish(tx.changes.takeKicks());
    await this.walSync.sync();
    this.bus.publish(tx.changes);
    return result;
  }

  /**
   * `relaxed`: commit with synchronous=NORMAL (durable against a crash of the process, not of the
   * machine); for observations of locks, which the hub re-derives from the locks after a power cut.
   */
  run<T>(fn: (tx: Tx) => T, opts: { relaxed?: boolean } = {}): T {
    const { tx, result } = this.commit(fn, opts.relaxed ?? false);
    this.bus.publish(tx.changes);
    return result;
  }

  private commit<T>(fn: (tx: Tx) => T, relaxed: boolean): { tx: Tx; result: T } {
    const tx = new Tx(this.store, this.ids, this.clock.now());
    const body = () => this.store.transaction(() => fn(tx));
    return { tx, result: relaxed ? body() : this.store.durable(body) };
  }
}
