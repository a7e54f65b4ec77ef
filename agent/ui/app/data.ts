// What the page knows about the hub, read through the router and kept current by the live channel,
// which only says what changed (the objects are read again through the router).
import { useEffect, useState } from "preact/hooks";
import { call, resume } from "./api";
import type { AccessCode, ChangeNotice, Device, HubStatus, SeamEvent, SlotMap } from "./types";

export type LiveState = "connecting" | "live" | "reconnecting";

const EVENTS_SHOWN = 200;
const EPOCH = "1970-01-01T00:00:00.000Z";
const STATUS_REFRESH_MS = 15_000;
/** Change notices arriving this close together are read back as one. */
const SETTLE_MS = 100;

const chunks = <T,>(a: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));

export class HubData {
  status: HubStatus | null = null;
  devices: Device[] = [];
  readonly codes = new Map<string, AccessCode>();
  readonly unmanaged = new Map<string, AccessCode>();
  readonly slots = new Map<string, SlotMap>();
  /** Newest first. */
  events: SeamEvent[] = [];
  eventsDevice: string | null = null;
  live: LiveState = "connecting";
  loaded = false;
  problem: string | null = null;

  private readonly listeners = new Set<() => void>();
  private source: EventSource | null = null;
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private settleTimer: ReturnType<typeof setTimeout> | null = null;
  private notices: ChangeNotice[] = [];
  private running = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly onSessionEnded: () => void) {}

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  device(id: string): Device | undefined {
    return this.devices.find((d) => d.device_id === id);
  }

  deviceName(id: string | undefined): string {
    return (id && this.device(id)?.display_name) || "a lock no longer on this hub";
  }

  /** Codes a create just answered with (status setting): shown at once, unless the live channel already read them. */
  adopt(codes: readonly AccessCode[]): void {
    for (const c of codes) if (!this.codes.has(c.access_code_id)) this.codes.set(c.access_code_id, c);
    this.changed();
  }

  async start(): Promise<void> {
    this.running = true;
    await this.loadAll();
    this.connect();
    // The live channel carries code and lock changes; link states and the clock are read now and then.
    this.statusTimer = setInterval(() => {
      if (document.visibilityState === "visible") void this.guard(() => this.refreshStatus());
    }, STATUS_REFRESH_MS);
  }

  stop(): void {
    this.running = false;
    this.source?.close();
    this.source = null;
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.statusTimer = this.settleTimer = null;
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.problem = null;
    } catch (e) {
      this.problem = e instanceof Error ? e.message : String(e);
    }
    this.changed();
  }

  async loadAll(): Promise<void> {
    await this.guard(async () => {
      await Promise.all([this.refreshStatus(), this.refreshDevices(), this.refreshEvents()]);
      await Promise.all(this.devices.map((d) => this.refreshLock(d.device_id)));
      this.loaded = true;
    });
  }

  async refreshStatus(): Promise<void> {
    this.status = (await call<{ hub: HubStatus }>("/hub/status")).hub;
  }

  async refreshDevices(): Promise<void> {
    this.devices = (await call<{ devices: Device[] }>("/devices/list")).devices;
    const ids = new Set(this.devices.map((d) => d.device_id));
    for (const map of [this.codes, this.unmanaged]) for (const [id, c] of map) if (!ids.has(c.device_id)) map.delete(id);
    for (const id of this.slots.keys()) if (!ids.has(id)) this.slots.delete(id);
  }

  /** One lock's codes, unmanaged codes and slot map. */
  async refreshLock(deviceId: string): Promise<void> {
    const [codes, unmanaged, slots] = await Promise.all([
      call<{ access_codes: AccessCode[] }>("/access_codes/list", { device_id: deviceId, limit: 10_000 }),
      // Issue 12 renames this key to Seam's `access_codes`; read either.
      call<{ access_codes: AccessCode[] }>("/access_codes/unmanaged/list", { device_id: deviceId }),
      call<SlotMap>("/hub/devices/slots", { device_id: deviceId }),
    ]);
    for (const map of [this.codes, this.unmanaged]) for (const [id, c] of map) if (c.device_id === deviceId) map.delete(id);
    for (const c of codes.access_codes) this.codes.set(c.access_code_id, c);
    for (const c of unmanaged.access_codes) this.unmanaged.set(c.access_code_id, c);
    this.slots.set(deviceId, slots);
  }

  async refreshEvents(): Promise<void> {
    // Seam requires `since` (or `between`); from the epoch with a limit gives the newest EVENTS_SHOWN.
    const r = await call<{ events: SeamEvent[] }>("/events/list", { since: EPOCH, limit: EVENTS_SHOWN, ...(this.eventsDevice ? { device_id: this.eventsDevice } : {}) });
    this.events = [...r.events].reverse();
  }

  filterEvents(deviceId: string | null): void {
    this.eventsDevice = deviceId;
    void this.guard(() => this.refreshEvents());
  }

  private connect(): void {
    if (!this.running) return;
    const source = new EventSource("/ui/events");
    this.source = source;
    let wasLive = false;
    source.addEventListener("ready", () => {
      this.live = "live";
      // Changes made while the channel was down were not announced: read everything again.
      if (wasLive) void this.loadAll();
      wasLive = true;
      this.changed();
    });
    source.addEventListener("change", (e) => {
      this.notices.push(JSON.parse((e as MessageEvent<string>).data) as ChangeNotice);
      this.settleTimer ??= setTimeout(() => {
        this.settleTimer = null;
        // One read-back at a time, so an older answer never overwrites a newer one.
        this.chain = this.chain.then(() => this.applyNotices());
      }, SETTLE_MS);
    });
    source.addEventListener("session_ended", () => this.endSession());
    source.addEventListener("error", () => {
      if (!this.running) return;
      this.live = "reconnecting";
      this.changed();
      // CLOSED: the hub refused the stream (logged out, restarted, or too many pages): do not hammer it.
      if (source.readyState === EventSource.CLOSED) {
        void resume().then((ok) => {
          if (!ok) return this.endSession();
          setTimeout(() => this.connect(), 3000);
        });
      }
    });
  }

  private endSession(): void {
    this.stop();
    this.onSessionEnded();
  }

  private async applyNotices(): Promise<void> {
    const batch = this.notices;
    this.notices = [];
    await this.guard(async () => {
      const devicesTouched = new Set<string>();
      let devicesChanged = false;
      let events = 0;
      const codeIds = new Set<string>();
      let unmanagedChanged = false;
      for (const n of batch) {
        for (const id of [...n.device_ids, ...n.deleted.device_ids]) (devicesTouched.add(id), (devicesChanged = true));
        for (const id of [...n.access_code_ids, ...n.deleted.access_code_ids]) codeIds.add(id);
        if (n.unmanaged_access_code_ids.length || n.deleted.unmanaged_access_code_ids.length) unmanagedChanged = true;
        events += n.events;
      }
      if (devicesChanged) await this.refreshDevices();
      for (const id of codeIds) {
        const known = this.codes.get(id);
        if (known) devicesTouched.add(known.device_id);
      }
      // New codes name their lock only once read; read the changed ones by id.
      for (const ids of chunks([...codeIds], 100)) {
        const r = await call<{ access_codes: AccessCode[] }>("/access_codes/list", { access_code_ids: ids, limit: 10_000 });
        for (const c of r.access_codes) devicesTouched.add(c.device_id);
      }
      if (unmanagedChanged) for (const d of this.devices) devicesTouched.add(d.device_id);
      const present = new Set(this.devices.map((d) => d.device_id));
      await Promise.all([...devicesTouched].filter((id) => present.has(id)).map((id) => this.refreshLock(id)));
      await Promise.all([this.refreshStatus(), events ? this.refreshEvents() : Promise.resolve()]);
    });
  }
}

/** Re-render a component whenever the hub data changes. */
export function useHubData(data: HubData): HubData {
  const [, setTick] = useState(0);
  useEffect(() => data.subscribe(() => setTick((n) => n + 1)), [data]);
  return data;
}
