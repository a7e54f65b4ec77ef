// Pairing sessions (protocol.md §7): one at a time per radio, each a pairing object kept in SQLite and
// published on the bus (state frames). Radio work goes through the drivers' RadioPairing; what an update
// means is agent/pairing/progress.ts; removal and replacement of a lock's records are agent/reconcile.
import { randomUUID } from "node:crypto";
import type { DriverEvent, IncludeOptions, InclusionStrategyName, LockDriver, PairingSession, PairingUpdate, Protocol, RadioPairing } from "../../drivers/contract.js";
import { ApiError, deviceNotFound, invalidInput, unsupported } from "../api/errors.js";
import type { Journal } from "../events/journal.js";
import type { Logger } from "../log.js";
import { deviceIdFor, type LockRegistry } from "../reconcile/registry.js";
import type { Clock } from "../util/clock.js";
import { iso } from "../util/clock.js";
import { pairingError } from "./errors.js";
import { FINAL_STATUSES, isFinal, parsePairing, type PairingKind, type PairingObject } from "./pairing-object.js";
import { applyUpdate, deviceReady, type PairingAction } from "./progress.js";

export interface PairingWindows {
  /** Default window when timeout_s is not given. */
  readonly defaultSeconds: Readonly<Record<Protocol, number>>;
  /** Upper bound of timeout_s (Zigbee: permit join is at most 254 s). */
  readonly maxSeconds: Readonly<Record<Protocol, number>>;
  /** A joined lock whose interview takes longer than this fails the pairing (interview_failed). */
  readonly interviewLimitMs: number;
}

export const DEFAULT_WINDOWS: PairingWindows = {
  defaultSeconds: { zwave: 60, zigbee: 120 },
  maxSeconds: { zwave: 600, zigbee: 254 },
  interviewLimitMs: 120_000,
};

interface Active {
  record: PairingObject;
  session: PairingSession | null;
  closingAs: "stopped" | "expired" | null;
  readonly timers: AbortController;
  readonly finished: Promise<void>;
  finish(): void;
}

const KEEP_PAIRINGS_MS = 7 * 24 * 3600_000;
/** Pairings in full state frames. */
const RECENT_PAIRINGS = 20;
const STOP_SETTLE_MS = 3_000;

export class PairingService {
  private readonly active = new Map<Protocol, Active>();
  /** Joined locks whose interview the hub waits for, by radio id. */
  private readonly awaiting = new Map<string, Active>();
  private readonly attached = new Set<LockDriver>();

  constructor(
    private readonly journal: Journal,
    private readonly registry: LockRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly drivers: () => readonly LockDriver[],
    private readonly windows: PairingWindows = DEFAULT_WINDOWS,
  ) {}

  /** Pairings that were running when the hub went down ended with it. */
  recover(): void {
    const store = this.journal.store;
    store.prunePairings(iso(this.clock.now() - KEEP_PAIRINGS_MS));
    for (const raw of store.openPairings(FINAL_STATUSES)) {
      const record = parsePairing(raw);
      if (!record) continue;
      this.save({
        ...record,
        status: "failed",
        error: { type: "timeout", message: "The hub restarted while this pairing was running and its window closed. A lock that had finished joining shows up as a device; start a new pairing for any other." },
      });
    }
  }

  /** Follow a radio's lock_ready events (after the registry's listener) and its unsolicited SmartStart inclusions. */
  attachDriver(driver: LockDriver): void {
    if (this.attached.has(driver)) return;
    this.attached.add(driver);
    driver.onEvent((e) => this.onDriverEvent(e));
    driver.pairing?.onUnsolicited((u) => this.onUnsolicited(driver.protocol, u));
  }

  stop(): void {
    for (const a of this.active.values()) {
      a.closingAs ??= "stopped";
      a.timers.abort();
    }
  }

  // ---- reads ------------------------------------------------------------------------------------

  get(pairingId: string): PairingObject {
    for (const a of this.active.values()) if (a.record.pairing_id === pairingId) return a.record;
    const record = parsePairing(this.journal.store.pairing(pairingId));
    if (!record) throw new ApiError(404, "pairing_not_found", `pairing_id "${pairingId}" does not match any pairing on this hub`);
    return record;
  }

  /** The newest pairings, for full state frames. */
  recent(): PairingObject[] {
    return this.journal.store.pairings(RECENT_PAIRINGS).flatMap((r) => parsePairing(r) ?? []);
  }

  activePairings(): PairingObject[] {
    return [...this.active.values()].map((a) => a.record);
  }

  // ---- sessions ---------------------------------------------------------------------------------

  async startInclusion(input: { protocol: Protocol; timeout_s?: number; dsk?: string; install_code?: string; strategy?: InclusionStrategyName }): Promise<PairingObject> {
    const { protocol } = input;
    if (protocol === "zigbee" && (input.dsk !== undefined || input.strategy !== undefined)) throw invalidInput("dsk and strategy are for Z-Wave; a Zigbee window takes timeout_s and install_code", { field: input.dsk !== undefined ? "dsk" : "strategy" });
    if (protocol === "zwave" && input.install_code !== undefined) throw invalidInput("install_code is for Zigbee; a Z-Wave inclusion takes dsk", { field: "install_code" });
    const seconds = this.windowSeconds(protocol, input.timeout_s);
    const options: IncludeOptions = {
      ...(input.strategy ? { strategy: input.strategy } : {}),
      ...(input.dsk !== undefined ? { dsk: input.dsk } : {}),
      ...(input.install_code !== undefined ? { installCode: input.install_code } : {}),
      seconds,
    };
    return this.open(protocol, "include", seconds, (radio, listener) => radio.include(options, listener));
  }

  async startExclusion(input: { protocol: Protocol; timeout_s?: number }): Promise<PairingObject> {
    const seconds = this.windowSeconds(input.protocol, input.timeout_s);
    return this.open(input.protocol, "exclude", seconds, (radio, listener) => {
      if (!radio.exclude) throw unsupported(`a ${input.protocol} lock leaves with /hub/devices/remove; there is no exclusion mode`);
      return radio.exclude(listener);
    });
  }

  async replaceDevice(input: { device_id: string; dsk?: string }): Promise<PairingObject> {
    const lock = this.journal.store.lock(input.device_id);
    if (!lock || lock.removed) throw deviceNotFound(input.device_id);
    const seconds = this.windows.defaultSeconds[lock.protocol];
    return this.open(lock.protocol, "replace", seconds, (radio, listener) => {
      if (!radio.replace) throw unsupported("only a Z-Wave lock can be replaced in place; remove it and pair the new lock");
      return radio.replace(lock.radioId, input.dsk !== undefined ? { dsk: input.dsk } : {}, listener);
    });
  }

  /** Zigbee: the lock is told to leave. Z-Wave: a failed lock is removed (a live one needs an exclusion). */
  async removeDevice(input: { device_id: string }): Promise<PairingObject> {
    const lock = this.journal.store.lock(input.device_id);
    if (!lock) throw deviceNotFound(input.device_id);
    const { radio } = this.radio(lock.protocol);
    this.refuseIfBusy(lock.protocol);
    const now = this.clock.now();
    const a = this.track({ pairing_id: randomUUID(), protocol: lock.protocol, kind: "exclude", status: "waiting_for_device", started_at: iso(now), expires_at: iso(now), device_ids: [] });
    this.save(a.record);
    try {
      if (!lock.removed) await radio.remove(lock.radioId);
    } catch (e) {
      this.end(a, { ...a.record, status: "failed", error: { type: "timeout", message: "The lock could not be removed." } });
      throw pairingError(e, "device_id");
    }
    this.apply(a, { type: "left", radioId: lock.radioId });
    return a.record;
  }

  providePin(input: { pairing_id: string; pin: string }): PairingObject {
    const a = this.byId(input.pairing_id);
    if (!a || a.record.status !== "pin_needed" || !a.session) {
      throw invalidInput(`this pairing is not waiting for a PIN (status: ${a?.record.status ?? this.get(input.pairing_id).status})`, { field: "pairing_id" });
    }
    try {
      a.session.providePin(input.pin);
    } catch (e) {
      throw pairingError(e, "pin");
    }
    return a.record;
  }

  async stopPairing(input: { pairing_id: string }): Promise<PairingObject> {
    const a = this.byId(input.pairing_id);
    if (!a) return this.get(input.pairing_id); // already over: stopping is a no-op
    a.closingAs ??= "stopped";
    await this.close(a);
    return a.record;
  }

  // ---- internals ----------------------------------------------------------------------------

  private windowSeconds(protocol: Protocol, asked: number | undefined): number {
    const max = this.windows.maxSeconds[protocol];
    if (asked !== undefined && asked > max) throw invalidInput(`timeout_s must be at most ${max} for ${protocol === "zigbee" ? "a Zigbee permit-join window" : "a Z-Wave window"}`, { field: "timeout_s" });
    return asked ?? this.windows.defaultSeconds[protocol];
  }

  radio(protocol: Protocol): { driver: LockDriver; radio: RadioPairing } {
    const driver = this.drivers().find((d) => d.protocol === protocol);
    if (!driver) throw unsupported(`this hub has no ${protocol === "zwave" ? "Z-Wave" : "Zigbee"} radio`);
    if (!driver.pairing) throw unsupported(`the ${protocol} radio cannot pair locks`);
    return { driver, radio: driver.pairing };
  }

  private refuseIfBusy(protocol: Protocol): void {
    const busy = this.active.get(protocol);
    if (busy) throw new ApiError(400, "pairing_in_progress", `a ${protocol} pairing is already running (${busy.record.kind}, ${busy.record.status}); stop it or wait for it to end`, { pairing_id: busy.record.pairing_id });
  }

  private byId(pairingId: string): Active | undefined {
    for (const a of this.active.values()) if (a.record.pairing_id === pairingId) return a;
    return undefined;
  }

  private async open(protocol: Protocol, kind: PairingKind, seconds: number, begin: (radio: RadioPairing, listener: (u: PairingUpdate) => void) => Promise<PairingSession>): Promise<PairingObject> {
    const { radio } = this.radio(protocol);
    this.refuseIfBusy(protocol);
    const now = this.clock.now();
    const a = this.track({ pairing_id: randomUUID(), protocol, kind, status: "waiting_for_device", started_at: iso(now), expires_at: iso(now + seconds * 1000), device_ids: [] });
    try {
      a.session = await begin(radio, (u) => this.apply(a, u));
    } catch (e) {
      this.active.delete(protocol);
      a.finish();
      throw pairingError(e, kind === "replace" ? "device_id" : "protocol");
    }
    this.save(a.record);
    this.logger.info({ pairing_id: a.record.pairing_id, protocol, kind, timeout_s: seconds }, "pairing window open");
    void this.expireAfter(a, seconds * 1000);
    return a.record;
  }

  private track(record: PairingObject): Active {
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const a: Active = { record, session: null, closingAs: null, timers: new AbortController(), finished, finish };
    this.active.set(record.protocol, a);
    return a;
  }

  /** The window closes at expires_at unless a lock was found by then. */
  private async expireAfter(a: Active, ms: number): Promise<void> {
    await this.clock.sleep(ms, a.timers.signal);
    if (a.timers.signal.aborted || isFinal(a.record.status) || a.record.status !== "waiting_for_device") return;
    a.closingAs ??= "expired";
    await this.close(a);
  }

  private async close(a: Active): Promise<void> {
    try {
      await a.session?.stop();
    } catch (e) {
      this.logger.warn({ pairing_id: a.record.pairing_id, reason: e instanceof Error ? e.message : String(e) }, "pairing window did not close cleanly");
    }
    // The radio's closing update arrives right after; a session that says nothing is closed here.
    await Promise.race([a.finished, this.clock.sleep(STOP_SETTLE_MS)]);
    if (!isFinal(a.record.status)) this.apply(a, { type: "closed" });
  }

  private apply(a: Active, update: PairingUpdate): void {
    const { record, actions } = applyUpdate(a.record, update, { closingAs: a.closingAs, deviceIdFor });
    for (const action of actions) this.act(a, action);
    if (isFinal(record.status)) this.end(a, record);
    else if (record !== a.record) {
      a.record = record;
      this.save(record);
    }
  }

  private act(a: Active, action: PairingAction): void {
    switch (action.kind) {
      case "prepare_replacement":
        this.registry.prepareReplacement(action.deviceId);
        return;
      case "purge":
        this.registry.purge(action.deviceId);
        return;
      case "await_device":
        this.awaiting.set(action.radioId, a);
        void this.clock.sleep(this.windows.interviewLimitMs, a.timers.signal).then(() => {
          if (this.awaiting.get(action.radioId) !== a) return;
          this.awaiting.delete(action.radioId);
          this.apply(a, { type: "interview_failed", radioId: action.radioId, message: "no answer to the interview in time" });
        });
        return;
    }
  }

  private end(a: Active, record: PairingObject): void {
    a.record = record;
    this.save(record);
    if (this.active.get(record.protocol) === a) this.active.delete(record.protocol);
    // A Zigbee window may close while a joined lock is still interviewing: keep waiting for it.
    const waitingFor = [...this.awaiting.entries()].some(([, w]) => w === a);
    if (!waitingFor) a.timers.abort();
    a.finish();
    this.logger.info({ pairing_id: record.pairing_id, protocol: record.protocol, kind: record.kind, status: record.status, error: record.error?.type }, "pairing ended");
  }

  private save(record: PairingObject): void {
    this.journal.run((tx) => {
      tx.store.putPairing({ pairingId: record.pairing_id, protocol: record.protocol, status: record.status, body: record, startedAt: record.started_at, updatedAt: tx.nowIso });
      tx.pairing(record.pairing_id);
    });
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type !== "lock_ready") return;
    const radioId = e.lock.identity.radioId;
    const a = this.awaiting.get(radioId);
    if (!a) return;
    this.awaiting.delete(radioId);
    const record = deviceReady(a.record, deviceIdFor(radioId));
    if (isFinal(record.status) && !isFinal(a.record.status)) this.end(a, record);
    else {
      a.record = record;
      this.save(record);
      if (isFinal(record.status) && ![...this.awaiting.values()].includes(a)) a.timers.abort();
    }
  }

  /** A provisioned SmartStart lock joined by itself: the hub follows it as a pairing of its own. */
  private onUnsolicited(protocol: Protocol, update: PairingUpdate): void {
    let a = this.active.get(protocol);
    if (!a) {
      if (update.type !== "device_found") return;
      const now = this.clock.now();
      a = this.track({ pairing_id: randomUUID(), protocol, kind: "include", status: "waiting_for_device", started_at: iso(now), expires_at: iso(now), device_ids: [] });
      this.logger.info({ pairing_id: a.record.pairing_id, protocol }, "SmartStart lock joining");
    }
    this.apply(a, update);
  }
}
