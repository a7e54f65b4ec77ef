import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { Logger } from "../log.js";
import { fullJitter } from "./backoff.js";
import { redactUrl, type LinkState } from "./cloud-ws.js";
import { CloudSession, type SessionDeps } from "./session.js";

export interface MqttDoorOptions {
  /** mqtt://, mqtts://, ws:// or wss:// */
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly topicPrefix: string;
  /** MQTT keepalive in seconds (the broker drops the hub, and publishes its will, after 1.5x this). */
  readonly keepaliveS?: number;
  /** No ack progress on the oldest unacked event for this long: send the unacked events again (doubling, capped). */
  readonly redeliverAfterMs?: number;
}

const AUTH_RETRY_MS = 5 * 60_000;
const STABLE_AFTER_MS = 60_000;
/** Session state on the broker (subscription, queued requests) outlives a hub that is away for up to a week. */
const SESSION_EXPIRY_S = 7 * 24 * 3600;
/** A request frame holds back its PUBACK (and the next inbound packet) until handled, at most this long. */
const HANDLE_CAP_MS = 10_000;
const REDELIVER_AFTER_MS = 60_000;
const REDELIVER_MAX_MS = 15 * 60_000;
const STOP_PUBLISH_MS = 1000;

/** CONNACK codes that mean "these credentials are not accepted" (MQTT 3.1.1 return codes 4, 5; MQTT 5 reason codes). */
const AUTH_CODES: Record<number, string> = {
  4: "bad user name or password",
  5: "not authorized",
  134: "bad user name or password",
  135: "not authorized",
  138: "banned",
  140: "bad authentication method",
};

/** One network connection to the broker and the protocol session riding on it. */
interface Link {
  readonly client: MqttClient;
  session: CloudSession | null;
  /** Resolves with the session once the link is up, or null if it closed first. */
  readonly ready: Promise<CloudSession | null>;
  resolveReady(s: CloudSession | null): void;
  opened: number;
  closed: boolean;
  authFailed: boolean;
  lastError?: string;
  /** Up frames waiting for a free slot in the broker's receive window (MQTT 5 Receive Maximum). */
  readonly queue: string[];
  inflight: number;
  receiveMaximum: number;
}

/**
 * The MQTT door (protocol.md §2): the cloud protocol's frames over a broker. Down `<prefix>/<hub>/down`
 * (request, ack), up `<prefix>/<hub>/up` (hello, state, response, event), retained `<prefix>/<hub>/status`
 * (`online`, and `offline` as the last will). QoS 1 both ways, persistent session (client id = hub id).
 *
 * Each broker connection opens a new CloudSession: hello, full state, then every unacked event in order.
 * Events leave the outbox only on an `ack` frame from the cloud, never on a broker PUBACK; a request's
 * PUBACK is sent once it has run and its response is recorded, so a redelivered request hits the router's
 * idempotency record instead of running twice.
 */
export class MqttDoor {
  state: LinkState = "disconnected";
  connectedSince: number | null = null;
  connects = 0;
  readonly topics: { readonly down: string; readonly up: string; readonly status: string };
  private link: Link | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private redeliverTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastReplayAt = 0;
  private readonly logger: Logger;
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };

  constructor(
    private readonly opts: MqttDoorOptions,
    private readonly deps: SessionDeps,
  ) {
    this.logger = deps.logger.child({ door: "mqtt" });
    const base = `${opts.topicPrefix}/${deps.hello.hubId}`;
    this.topics = { down: `${base}/down`, up: `${base}/up`, status: `${base}/status` };
    this.tls = {};
    if (opts.caFile) this.tls.ca = readFileSync(opts.caFile);
    if (opts.certFile) this.tls.cert = readFileSync(opts.certFile);
    if (opts.keyFile) this.tls.key = readFileSync(opts.keyFile);
  }

  start(): void {
    this.dial();
    this.watchAcks();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = "stopped";
    if (this.timer) clearTimeout(this.timer);
    if (this.redeliverTimer) clearTimeout(this.redeliverTimer);
    const link = this.link;
    this.link = null;
    if (!link) return;
    link.session?.close();
    link.session = null;
    link.resolveReady(null);
    const client = link.client;
    if (client.connected) {
      // A clean stop says so itself: the broker does not publish the will after a DISCONNECT.
      await withTimeout(
        new Promise<void>((resolve) => client.publish(this.topics.status, "offline", { qos: 1, retain: true }, () => resolve())),
        STOP_PUBLISH_MS,
      );
      await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), STOP_PUBLISH_MS);
    }
    client.end(true);
  }

  private options(): IClientOptions {
    return {
      clientId: this.deps.hello.hubId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      keepalive: this.opts.keepaliveS ?? 30,
      connectTimeout: 15_000,
      // Reconnects are ours (backoff with full jitter, slow retry on refused credentials), each on a fresh client.
      reconnectPeriod: 0,
      ...(this.opts.username !== undefined ? { username: this.opts.username } : {}),
      ...(this.opts.password !== undefined ? { password: this.opts.password } : {}),
      ...this.tls,
      will: { topic: this.topics.status, payload: Buffer.from("offline"), qos: 1, retain: true },
    };
  }

  private dial(): void {
    if (this.stopped) return;
    this.state = "connecting";
    const client = mqtt.connect(this.opts.url, this.options());
    // Small frames, answered one by one: Nagle plus delayed ACKs would add ~40 ms per hop (TCP and TLS sockets).
    (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    let resolveReady!: (s: CloudSession | null) => void;
    const ready = new Promise<CloudSession | null>((r) => (resolveReady = r));
    const link: Link = { client, session: null, ready, resolveReady, opened: 0, closed: false, authFailed: false, queue: [], inflight: 0, receiveMaximum: 65_535 };
    this.link = link;

    // Inbound publishes are handled one at a time, in order; the PUBACK goes out when the frame is handled.
    client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
      this.onPublish(link, packet).then(
        () => done(),
        (e: unknown) => {
          this.logger.error({ reason: e instanceof Error ? e.message : String(e) }, "MQTT frame handling failed");
          done();
        },
      );
    };

    client.on("connect", (connack) => {
      if (link.closed || this.stopped) return;
      link.opened = Date.now();
      link.receiveMaximum = connack.properties?.receiveMaximum ?? 65_535;
      this.state = "connected";
      this.connectedSince = link.opened;
      this.connects++;
      this.logger.info({ url: redactUrl(this.opts.url), session_present: Boolean(connack.sessionPresent) }, "MQTT link up");
      // Written before hello: the broker has the subscription before the cloud can react to hello.
      client.subscribe(this.topics.down, { qos: 1 }, (err) => {
        if (err && !link.closed) this.logger.warn({ reason: err.message }, "MQTT subscription to the down topic failed; reconnecting");
        if (err) client.end(true);
      });
      client.publish(this.topics.status, "online", { qos: 1, retain: true });
      this.openSession(link);
      link.resolveReady(link.session);
    });

    client.on("error", (err: Error & { code?: unknown }) => {
      const code = typeof err.code === "number" ? err.code : undefined;
      if (code !== undefined && AUTH_CODES[code]) {
        link.authFailed = true;
        this.logger.warn(
          { connack: code },
          `MQTT broker refused the hub's credentials (CONNACK ${code} ${AUTH_CODES[code]}); check mqtt.username / mqtt.password (or LOCKBRIDGE_MQTT_PASSWORD) and the broker's ACL; retrying in 5 minutes`,
        );
        return;
      }
      this.logger.debug({ reason: err.message, code: err.code }, "MQTT link error");
      if (!link.opened) link.lastError = err.message;
    });

    client.on("close", () => this.onClose(link));
  }

  private openSession(link: Link): void {
    link.session?.close();
    const client = link.client;
    const session = new CloudSession(this.deps, (frame) => {
      if (link.closed) return;
      link.queue.push(JSON.stringify(frame));
      this.drain(link);
    });
    link.session = session;
    this.lastReplayAt = Date.now();
    session.open();
  }

  /**
   * Publishes queued up frames in order, never more unacknowledged QoS 1 publishes than the broker's Receive
   * Maximum (mqtt.js does not enforce it; a strict broker disconnects a client that exceeds it, and a long
   * outbox replay would).
   */
  private drain(link: Link): void {
    while (!link.closed && link.inflight < link.receiveMaximum && link.queue.length) {
      const text = link.queue.shift()!;
      link.inflight++;
      link.client.publish(this.topics.up, text, { qos: 1 }, () => {
        link.inflight--;
        this.drain(link);
      });
    }
  }

  private async onPublish(link: Link, packet: IPublishPacket): Promise<void> {
    if (packet.topic !== this.topics.down) return;
    if (!(await link.ready) || link.closed) return;
    const session = link.session;
    if (!session) return;
    const payload = packet.payload;
    const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((r) => (timer = setTimeout(r, HANDLE_CAP_MS)));
    try {
      const handled = session.receive(text).catch((e: unknown) => this.logger.error({ reason: e instanceof Error ? e.message : String(e) }, "MQTT frame handling failed"));
      await Promise.race([handled, cap]);
    } finally {
      clearTimeout(timer);
    }
  }

  private onClose(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    link.queue.length = 0;
    link.session?.close();
    link.session = null;
    link.resolveReady(null);
    link.client.end(true);
    if (this.link !== link || this.stopped) return;
    this.link = null;
    this.connectedSince = null;
    if (link.opened && Date.now() - link.opened >= STABLE_AFTER_MS) this.attempt = 0;
    this.state = link.authFailed ? "auth_failed" : "disconnected";
    const delay = link.authFailed ? AUTH_RETRY_MS : fullJitter(this.attempt++, 500, 30_000);
    if (link.opened) this.logger.info({ retry_in_ms: delay }, "MQTT link down");
    else if (!link.authFailed) this.logger.info({ reason: link.lastError ?? "connection closed", retry_in_ms: delay }, "MQTT broker not reachable");
    this.timer = setTimeout(() => this.dial(), delay);
    this.timer.unref();
  }

  /**
   * A broker accepts an event (PUBACK) and may still never hand it to the cloud (no subscriber yet, a
   * queue limit). Without ack progress on the oldest unacked event for a while, the session starts over on
   * the same connection: hello, full state, every unacked event in order. Backs off while nothing is acked.
   */
  private watchAcks(): void {
    const base = this.opts.redeliverAfterMs ?? REDELIVER_AFTER_MS;
    let oldest: number | null = null;
    let since = Date.now();
    let wait = base;
    const tick = () => {
      if (this.stopped) return;
      const head = this.deps.store.unackedEvents(0, 1)[0]?.seq ?? null;
      const now = Date.now();
      if (head !== oldest || head === null) {
        oldest = head;
        since = now;
        wait = base;
      } else if (now - Math.max(since, this.lastReplayAt) >= wait && this.link?.session && !this.link.closed) {
        this.logger.info({ unacked_events: this.deps.store.unackedCount(), waited_ms: now - since }, "no ack from the cloud; sending the unacked events again");
        this.openSession(this.link);
        since = now;
        wait = Math.min(wait * 2, REDELIVER_MAX_MS);
      }
      this.redeliverTimer = setTimeout(tick, Math.max(250, Math.min(base / 4, 15_000)));
      this.redeliverTimer.unref();
    };
    tick();
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}
