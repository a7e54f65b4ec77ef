import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PeerCertificate } from "node:tls";
import WebSocket from "ws";
import type { Logger } from "../log.js";
import { fullJitter } from "./backoff.js";
import { CloudSession, MAX_FRAME_BYTES, type SessionDeps } from "./session.js";

export interface CloudWsOptions {
  readonly url: string;
  readonly token: string;
  readonly caFile?: string | undefined;
  readonly pinnedCertSha256?: readonly string[] | undefined;
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
}

const AUTH_RETRY_MS = 5 * 60_000;
const STABLE_AFTER_MS = 60_000;

export type LinkState = "connecting" | "connected" | "disconnected" | "auth_failed" | "stopped";

/** The cloud door: dials out, keeps the link alive, and speaks the session protocol over it. */
export class CloudWsDoor {
  state: LinkState = "disconnected";
  connectedSince: number | null = null;
  connects = 0;
  private ws: WebSocket | null = null;
  private session: CloudSession | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly logger: Logger;

  constructor(
    private readonly opts: CloudWsOptions,
    private readonly deps: SessionDeps,
  ) {
    this.logger = deps.logger.child({ door: "cloud" });
  }

  start(): void {
    this.dial();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = "stopped";
    if (this.timer) clearTimeout(this.timer);
    this.session?.close();
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (ws.terminate(), resolve()), 1000);
        ws.once("close", () => (clearTimeout(t), resolve()));
        ws.close(1001, "hub stopping");
      });
    }
  }

  private tlsOptions(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.opts.caFile) out.ca = readFileSync(this.opts.caFile);
    const pins = this.opts.pinnedCertSha256?.map((p) => p.replaceAll(":", "").toLowerCase());
    if (pins?.length) {
      out.checkServerIdentity = (_host: string, cert: PeerCertificate) => {
        const fp = createHash("sha256").update(cert.raw).digest("hex");
        return pins.includes(fp) ? undefined : new Error("cloud certificate does not match a pinned fingerprint");
      };
    }
    return out;
  }

  private dial(): void {
    if (this.stopped) return;
    this.state = "connecting";
    let authFailed = false;
    let opened = 0;
    const ws = new WebSocket(this.opts.url, {
      headers: { authorization: `Bearer ${this.opts.token}` },
      maxPayload: 16 * MAX_FRAME_BYTES,
      handshakeTimeout: 15_000,
      ...this.tlsOptions(),
    });
    this.ws = ws;
    let alive = true;
    let pinger: NodeJS.Timeout | null = null;

    ws.on("unexpected-response", (_req, res) => {
      authFailed = res.statusCode === 401 || res.statusCode === 403;
      this.logger.warn({ status: res.statusCode }, authFailed ? "cloud refused the hub's token (HTTP 401); check cloud.token; retrying in 5 minutes" : "cloud refused the WebSocket upgrade");
      ws.terminate();
    });
    ws.on("open", () => {
      opened = Date.now();
      this.state = "connected";
      this.connectedSince = opened;
      this.connects++;
      this.logger.info({ url: redactUrl(this.opts.url) }, "cloud link up");
      const session = new CloudSession(this.deps, (frame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
      });
      this.session = session;
      pinger = setInterval(() => {
        if (!alive) {
          this.logger.warn({}, "cloud link missed its pong; reconnecting");
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, this.opts.pingIntervalMs ?? 15_000);
      session.open();
    });
    ws.on("pong", () => (alive = true));
    ws.on("message", (data, isBinary) => {
      alive = true;
      if (isBinary) return this.session?.error("invalid_input", "binary frames are not part of the protocol; send JSON text frames");
      this.session?.receive(data.toString()).catch((e: unknown) => this.logger.error({ err: e }, "cloud frame handling failed"));
    });
    ws.on("close", (code) => {
      if (pinger) clearInterval(pinger);
      this.session?.close();
      this.session = null;
      this.connectedSince = null;
      if (code === 4401) {
        authFailed = true;
        this.logger.warn({ code }, "cloud closed the link: unauthorized (4401); check cloud.token; retrying in 5 minutes");
      }
      if (this.stopped) return;
      if (opened && Date.now() - opened >= STABLE_AFTER_MS) this.attempt = 0;
      this.state = authFailed ? "auth_failed" : "disconnected";
      const delay = authFailed ? AUTH_RETRY_MS : fullJitter(this.attempt++, 500, 30_000);
      this.logger.info({ code, retry_in_ms: delay }, "cloud link down");
      this.timer = setTimeout(() => this.dial(), delay);
      this.timer.unref();
    });
    ws.on("error", (err: NodeJS.ErrnoException) => {
      // Refused or reset links are routine during an outage; a TLS or pinning failure needs a person.
      const routine = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(err.code ?? "");
      this.logger[routine ? "debug" : "warn"]({ reason: err.message, code: err.code }, "cloud link error");
    });
  }
}

/** URLs may carry credentials in their userinfo or query; log only scheme, host and path. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}
