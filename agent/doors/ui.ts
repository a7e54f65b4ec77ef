import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { errorBody } from "../api/errors.js";
import type { ChangeBus } from "../events/changes.js";
import type { Logger } from "../log.js";
import { LiveStream } from "./ui-live.js";
import { sameOrigin, SESSION_COOKIE, UiSessions, type SessionLimits } from "./ui-sessions.js";

/**
 * The installer page on the local API's listener (protocol.md §10, docs/ui.md): static files built
 * by `npm run build` into dist/ui, the login that turns the API key into a session, and the live
 * channel. Everything the page reads or changes goes through the router (the HTTP door, with the
 * session standing in for the bearer key); nothing here knows about locks or codes.
 */

/** Strict: only the hub's own files, no inline script or style, no string-to-DOM sinks (Trusted Types). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(self), microphone=(), geolocation=()",
};

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".html": "text/html; charset=utf-8",
};

/** Where `npm run build` put the page: dist/ui beside the compiled agent, or under the repo when run from source. */
export function uiBuildDir(): string | null {
  const here = import.meta.dirname;
  for (const dir of [path.join(here, "..", "..", "ui"), path.join(here, "..", "..", "dist", "ui")]) if (existsSync(path.join(dir, "index.html"))) return dir;
  return null;
}

export interface UiDoorOptions {
  readonly apiKey: string;
  readonly bus: ChangeBus;
  readonly logger: Logger;
  readonly now: () => number;
  readonly dir?: string | null;
  readonly limits?: SessionLimits;
  /** At most this many live streams at once (each tab holds one). */
  readonly maxStreams?: number;
}

const MAX_LOGIN_BODY = 4096;
/** Failed logins allowed per minute, hub-wide, before the page is told to wait. */
const LOGIN_FAILURES_PER_MINUTE = 10;

export class UiDoor {
  readonly sessions: UiSessions;
  private readonly streams = new Set<LiveStream>();
  private readonly dir: string | null;
  private failures: number[] = [];

  constructor(private readonly opts: UiDoorOptions) {
    this.sessions = new UiSessions(() => opts.apiKey, opts.now, opts.limits);
    this.dir = opts.dir === undefined ? uiBuildDir() : opts.dir;
  }

  status(): { sessions: number; live_streams: number } {
    return { sessions: this.sessions.size, live_streams: this.streams.size };
  }

  /** Router requests made by the page (session cookie, anti-CSRF header, same origin). */
  authorizes(req: IncomingMessage): boolean {
    return this.sessions.authorizes(req);
  }

  /** The HttpDoor `extra` hook: true when the request was under /ui and is answered here. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const pathname = (req.url ?? "/").split("?")[0]!;
    if (pathname !== "/ui" && !pathname.startsWith("/ui/")) return false;
    const method = req.method ?? "GET";
    if (pathname === "/ui/session") {
      this.session(req, res, method).catch((e: unknown) => {
        this.opts.logger.error({ err: e instanceof Error ? e.message : String(e) }, "ui session failed");
        if (!res.headersSent) this.fail(res, 500, "internal_error", "the hub failed to handle this request");
      });
      return true;
    }
    req.resume();
    if (pathname === "/ui/events" && method === "GET") return (this.live(req, res), true);
    if (method !== "GET" && method !== "HEAD") return (this.fail(res, 405, "invalid_input", `method ${method.slice(0, 10)} is not supported here`), true);
    if (pathname === "/ui") return (res.writeHead(308, { location: "/ui/", ...SECURITY_HEADERS }), res.end(), true);
    if (pathname === "/ui/" || pathname === "/ui/index.html") return (this.file(req, res, "index.html", "no-store"), true);
    const asset = /^\/ui\/assets\/([A-Za-z0-9._-]+)$/.exec(pathname);
    if (asset && !asset[1]!.startsWith(".")) return (this.file(req, res, path.join("assets", asset[1]!), "public, max-age=31536000, immutable"), true);
    this.fail(res, 404, "not_found", `no such page: ${pathname.slice(0, 200)}`);
    return true;
  }

  /** End every live stream (the hub is stopping). */
  close(): void {
    for (const s of [...this.streams]) s.close();
  }

  private file(req: IncomingMessage, res: ServerResponse, rel: string, cache: string): void {
    if (!this.dir) return this.fail(res, 503, "unsupported", "the installer page was not built; run npm run build");
    const full = path.join(this.dir, rel);
    const type = TYPES[path.extname(full)];
    if (!type || !existsSync(full)) return this.fail(res, 404, "not_found", `no such file: ${rel.slice(0, 200)}`);
    const gz = `${full}.gz`;
    const useGz = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && existsSync(gz);
    const served = useGz ? gz : full;
    res.writeHead(200, {
      "content-type": type,
      "content-length": statSync(served).size,
      "cache-control": cache,
      vary: "accept-encoding",
      ...(useGz ? { "content-encoding": "gzip" } : {}),
      ...SECURITY_HEADERS,
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(served).pipe(res);
  }

  private async session(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method === "GET") {
      req.resume();
      const s = this.sessions.fromRequest(req);
      if (!s || !sameOrigin(req)) return this.fail(res, 401, "unauthorized", "not logged in; give the API key");
      return this.json(res, 200, { ok: true, csrf_token: s.csrf });
    }
    if (method === "DELETE") {
      req.resume();
      if (this.sessions.authorizes(req)) this.sessions.end(req);
      return this.json(res, 200, { ok: true }, { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` });
    }
    if (method !== "POST") return (req.resume(), this.fail(res, 405, "invalid_input", "use POST with {api_key} to log in"));
    if (!sameOrigin(req)) return (req.resume(), this.fail(res, 403, "forbidden", "log in from the hub's own page"));
    if (!/^application\/json\b/i.test(String(req.headers["content-type"] ?? ""))) {
      req.resume();
      return this.fail(res, 400, "invalid_input", "send the API key as a JSON body {\"api_key\": \"...\"}");
    }
    const text = await readSmallBody(req, MAX_LOGIN_BODY);
    let key: unknown;
    try {
      key = text === null ? undefined : (JSON.parse(text) as { api_key?: unknown }).api_key;
    } catch {
      key = undefined;
    }
    if (typeof key !== "string" || key.length === 0 || key.length > 512) return this.fail(res, 400, "invalid_input", "api_key: give the hub's API key (a string)");
    const t = this.opts.now();
    this.failures = this.failures.filter((f) => t - f < 60_000);
    if (this.failures.length >= LOGIN_FAILURES_PER_MINUTE) return this.fail(res, 429, "rate_limited", "too many wrong API keys; wait a minute and try again");
    const made = this.sessions.create(key);
    if (!made) {
      this.failures.push(t);
      this.opts.logger.warn({}, "installer page: login with a wrong API key");
      return this.fail(res, 401, "unauthorized", "the API key is not valid for this hub");
    }
    const maxAge = Math.floor(this.sessions.limits.maxAgeMs / 1000);
    this.json(res, 200, { ok: true, csrf_token: made.session.csrf }, { "set-cookie": `${SESSION_COOKIE}=${made.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}` });
  }

  private live(req: IncomingMessage, res: ServerResponse): void {
    const session = this.sessions.fromRequest(req);
    if (!session || !sameOrigin(req)) return this.fail(res, 401, "unauthorized", "not logged in; give the API key");
    if (this.streams.size >= (this.opts.maxStreams ?? 8)) return this.fail(res, 429, "rate_limited", "too many installer pages are open on this hub; close one");
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no", ...SECURITY_HEADERS });
    const stream: LiveStream = new LiveStream(
      res,
      this.opts.bus,
      () => this.sessions.alive(session),
      () => this.streams.delete(stream),
    );
    this.streams.add(stream);
  }

  /** An error in the API's one shape (ok: false, type, message, validation_errors for invalid_input). */
  private fail(res: ServerResponse, status: number, type: string, message: string): void {
    this.json(res, status, errorBody(type, message));
  }

  private json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...SECURITY_HEADERS, ...extra });
    res.end(text);
  }
}

function readSmallBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on("end", () => resolve(size > max ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
