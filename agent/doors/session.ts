import type { ChangeBus, ChangeSet } from "../events/changes.js";
import type { Logger } from "../log.js";
import { errorBody } from "../api/errors.js";
import type { Router } from "../api/router.js";
import type { Shaper } from "../api/context.js";
import { parsePairing } from "../pairing/pairing-object.js";
import type { Store } from "../store/store.js";

export const MAX_FRAME_BYTES = 1024 * 1024;
export const PROTOCOL_VERSION = 1;
/** Pairing sessions in a full state frame. */
const RECENT_PAIRINGS = 20;

export interface HelloInfo {
  readonly hubId: string;
  readonly workspaceId: string;
  readonly agentVersion: string;
}

export interface SessionDeps {
  readonly router: Router;
  readonly store: Store;
  readonly bus: ChangeBus;
  readonly shaper: Shaper;
  readonly hello: HelloInfo;
  readonly logger: Logger;
  readonly door: "cloud" | "mqtt";
}

type Frame = Record<string, unknown>;

/**
 * The cloud protocol over one live link (protocol.md §2), whatever carries it (WebSocket or MQTT):
 * hello, full state, then changes; requests through the one router with idempotency; events from the
 * outbox in order until acked, replayed from the oldest unacked one on every new link.
 */
export class CloudSession {
  private lastSentSeq = 0;
  private closed = false;
  private readonly unsubscribe: () => void;
  private pumping = false;

  constructor(
    private readonly d: SessionDeps,
    private readonly send: (frame: Frame) => void,
  ) {
    this.unsubscribe = d.bus.on((c) => this.onChanges(c));
  }

  open(): void {
    const devices = this.d.store.locks().map((l) => this.d.shaper.device(l));
    // Secrets never travel in hello/state: no token, no key, only ids and Seam objects.
    this.send({
      type: "hello",
      hub_id: this.d.hello.hubId,
      workspace_id: this.d.hello.workspaceId,
      agent_version: this.d.hello.agentVersion,
      protocol_version: PROTOCOL_VERSION,
      devices,
      unacked_events: this.d.store.unackedCount(),
    });
    this.send({
      type: "state",
      devices,
      access_codes: this.d.shaper.visibleCodes().map((c) => this.d.shaper.code(c)),
      unmanaged_access_codes: this.d.store.unmanaged().map((u) => this.d.shaper.unmanaged(u)),
      // Recent pairing sessions (protocol.md §7), so a cloud UI can follow one.
      pairings: this.d.store.pairings(RECENT_PAIRINGS).flatMap((p) => parsePairing(p) ?? []),
    });
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  /** Handle one inbound text frame. */
  async receive(text: string): Promise<void> {
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) return this.error("invalid_input", `frame is larger than ${MAX_FRAME_BYTES} bytes`);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.error("invalid_input", "frame is not valid JSON");
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return this.error("invalid_input", "frame must be a JSON object");
    const f = frame as Frame;
    if (f.type === "request") {
      if (typeof f.id !== "string" || f.id.length === 0 || f.id.length > 200) return this.error("invalid_input", "request.id must be a non-empty string of at most 200 characters");
      if (typeof f.path !== "string") return this.send({ type: "response", id: f.id, status: 400, body: errorBody("invalid_input", "request.path must be a string") });
      const res = await this.d.router.handle({ path: f.path, params: f.body ?? {}, requestId: f.id, door: this.d.door });
      if (!this.closed) this.send({ type: "response", id: f.id, status: res.status, body: res.body });
      return;
    }
    if (f.type === "ack") {
      if (!Array.isArray(f.event_ids) || !f.event_ids.every((e) => typeof e === "string")) return this.error("invalid_input", "ack.event_ids must be a list of event ids");
      this.d.store.ackEvents(f.event_ids as string[], new Date().toISOString());
      return;
    }
    // Describe the type without converting it: String() throws for an object like {"toString": false}.
    if (f.type === undefined) return this.error("invalid_input", "frame.type is missing; expected request or ack");
    const shown = typeof f.type === "string" ? JSON.stringify(f.type).slice(0, 60) : `(a JSON ${f.type === null ? "null" : Array.isArray(f.type) ? "array" : typeof f.type})`;
    return this.error("invalid_input", `unknown frame type ${shown}; expected request or ack`);
  }

  /** An `error` frame for a frame the hub cannot read; the link stays up. */
  error(type: string, message: string): void {
    this.send({ type: "error", error: { type, message } });
  }

  private onChanges(c: ChangeSet): void {
    if (this.closed) return;
    if (c.events) this.pump();
    const shaper = this.d.shaper;
    const store = this.d.store;
    const present = <T>(x: T | undefined): x is T => x !== undefined;
    const codes = [...c.codes].map((id) => store.code(id)).filter(present).filter((x) => !(x.isBackup && x.backupState === "pool"));
    const unmanaged = [...c.unmanaged].map((id) => store.unmanagedCode(id)).filter(present);
    const devices = [...c.devices].map((id) => store.lock(id)).filter(present);
    const pairings = [...c.pairings].flatMap((id) => parsePairing(store.pairing(id)) ?? []);
    if (!codes.length && !unmanaged.length && !devices.length && !pairings.length && !c.deletedCodes.size && !c.deletedUnmanaged.size && !c.deletedDevices.size) return;
    this.send({
      type: "state",
      devices: devices.map((l) => shaper.device(l)),
      access_codes: codes.map((x) => shaper.code(x)),
      unmanaged_access_codes: unmanaged.map((u) => shaper.unmanaged(u)),
      ...(pairings.length ? { pairings } : {}),
      deleted: { access_code_ids: [...c.deletedCodes], unmanaged_access_code_ids: [...c.deletedUnmanaged], device_ids: [...c.deletedDevices] },
    });
  }

  /** Send every unacked event after the last one sent on this link, in order. */
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        const batch = this.d.store.unackedEvents(this.lastSentSeq, 200);
        if (!batch.length || this.closed) break;
        for (const e of batch) {
          this.send({ type: "event", event: e.body });
          this.lastSentSeq = e.seq;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
