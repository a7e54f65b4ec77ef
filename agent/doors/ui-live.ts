import type { ServerResponse } from "node:http";
import type { ChangeBus, ChangeSet } from "../events/changes.js";

/**
 * One open live channel of the installer page: a text/event-stream that tells the page WHAT
 * changed (object ids, how many events), never the objects themselves; the page reads them
 * through the router like any client. It exists only while the page has it open: one bus
 * listener, one heartbeat timer and a coalescing timer while changes are waiting, all gone on close.
 */

/** Changes within this window reach the page as one message (a burst of 250 codes is not 250 reads). */
const COALESCE_MS = 150;
/** A comment line this often keeps proxies and the server's idle timeout from closing a quiet stream. */
export const HEARTBEAT_MS = 25_000;

interface Pending {
  devices: Set<string>;
  deletedDevices: Set<string>;
  codes: Set<string>;
  deletedCodes: Set<string>;
  unmanaged: Set<string>;
  deletedUnmanaged: Set<string>;
  events: number;
}

const empty = (): Pending => ({ devices: new Set(), deletedDevices: new Set(), codes: new Set(), deletedCodes: new Set(), unmanaged: new Set(), deletedUnmanaged: new Set(), events: 0 });
const add = (to: Set<string>, from: ReadonlySet<string>) => {
  for (const v of from) to.add(v);
};

export class LiveStream {
  private pending: Pending | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    bus: ChangeBus,
    /** Checked at each heartbeat: a session that expired or lost its key ends its stream. */
    private readonly stillAllowed: () => boolean,
    private readonly onClose: () => void,
  ) {
    this.unsubscribe = bus.on((c) => this.onChanges(c));
    // Not unref'd: the open socket keeps the process alive anyway, and close() (hub stop included) clears it.
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    res.on("close", () => this.close());
    // `retry`: how long the browser waits before reconnecting a dropped stream.
    res.write("retry: 3000\n\nevent: ready\ndata: {}\n\n");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.pending = null;
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }

  private beat(): void {
    if (!this.stillAllowed()) {
      this.res.write("event: session_ended\ndata: {}\n\n");
      return this.close();
    }
    this.res.write(": keepalive\n\n");
  }

  private onChanges(c: ChangeSet): void {
    // Executor kicks travel alone, ahead of the doors' change set: nothing the page shows.
    if (c.events === 0 && [c.codes, c.deletedCodes, c.unmanaged, c.deletedUnmanaged, c.devices, c.deletedDevices].every((s) => s.size === 0)) return;
    const p = (this.pending ??= empty());
    add(p.devices, c.devices);
    add(p.deletedDevices, c.deletedDevices);
    add(p.codes, c.codes);
    add(p.deletedCodes, c.deletedCodes);
    add(p.unmanaged, c.unmanaged);
    add(p.deletedUnmanaged, c.deletedUnmanaged);
    p.events += c.events;
    this.flushTimer ??= setTimeout(() => this.flush(), COALESCE_MS);
  }

  private flush(): void {
    this.flushTimer = null;
    const p = this.pending;
    this.pending = null;
    if (!p || this.closed) return;
    const message = {
      device_ids: [...p.devices],
      access_code_ids: [...p.codes],
      unmanaged_access_code_ids: [...p.unmanaged],
      deleted: { device_ids: [...p.deletedDevices], access_code_ids: [...p.deletedCodes], unmanaged_access_code_ids: [...p.deletedUnmanaged] },
      events: p.events,
    };
    this.res.write(`event: change\ndata: ${JSON.stringify(message)}\n\n`);
  }
}
