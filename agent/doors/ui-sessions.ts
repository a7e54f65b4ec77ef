import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { secretEquals } from "./http.js";

/**
 * Sessions of the installer page (docs/ui.md): the API key is given once, to POST /ui/session, and
 * exchanged for a random session id in an HttpOnly, SameSite=Strict cookie plus a per-session
 * anti-CSRF token the page sends back in a header. Kept in memory only: a restart, or a different
 * API key, ends every session. Nothing here runs on a timer: expiry is checked when a session is used.
 */

export const SESSION_COOKIE = "lockbridge_ui";
export const CSRF_HEADER = "x-lockbridge-csrf";

export interface UiSession {
  readonly csrf: string;
  readonly createdAt: number;
  lastUsedAt: number;
  /** Which API key it was made with (a hash): a session outlives no key change. */
  readonly keyHash: string;
}

export interface SessionLimits {
  /** Ends a session not used (no request, no open live stream) for this long. */
  readonly idleMs: number;
  /** Ends any session this long after login. */
  readonly maxAgeMs: number;
  /** At most this many sessions; a new login ends the least recently used. */
  readonly maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 2 * 3600_000, maxAgeMs: 12 * 3600_000, maxSessions: 16 };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The value of one cookie in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/**
 * Whether a request comes from the page's own origin. Browsers send Sec-Fetch-Site on every request
 * and Origin on every non-GET one; a value saying "another site" (another port on the same host is
 * another origin but the same site, so only same-origin passes) is refused. A client that sends
 * neither is not a browser, and CSRF is a browser attack.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export class UiSessions {
  /** By sha256 of the session id: the ids themselves are kept nowhere on the hub. */
  private readonly sessions = new Map<string, UiSession>();

  constructor(
    private readonly apiKey: () => string,
    private readonly now: () => number,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  /** Live sessions (expired ones are dropped first: they hold nothing once counted). */
  get size(): number {
    this.prune();
    return this.sessions.size;
  }

  /** Log in: null when the key is wrong. */
  create(givenKey: string): { id: string; session: UiSession } | null {
    const key = this.apiKey();
    if (!secretEquals(givenKey, key)) return null;
    this.prune();
    while (this.sessions.size >= this.limits.maxSessions) {
      let oldest: [string, UiSession] | null = null;
      for (const e of this.sessions) if (!oldest || e[1].lastUsedAt < oldest[1].lastUsedAt) oldest = e;
      this.sessions.delete(oldest![0]);
    }
    const id = randomBytes(32).toString("base64url");
    const t = this.now();
    const session: UiSession = { csrf: randomBytes(32).toString("base64url"), createdAt: t, lastUsedAt: t, keyHash: sha256(key) };
    this.sessions.set(sha256(id), session);
    return { id, session };
  }

  /** The live session a request's cookie names (and marks it used), or null. */
  fromRequest(req: IncomingMessage): UiSession | null {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!id || id.length > 200) return null;
    return this.touch(sha256(id));
  }

  /** A router request made by the page: a live session, its anti-CSRF token, and the page's own origin. */
  authorizes(req: IncomingMessage): boolean {
    if (this.sessions.size === 0) return false;
    const session = this.fromRequest(req);
    const token = req.headers[CSRF_HEADER];
    return session !== null && typeof token === "string" && secretEquals(token, session.csrf) && sameOrigin(req);
  }

  /** Still valid (not idle too long, not too old, same key)? Marks it used when it is. */
  alive(session: UiSession): boolean {
    for (const [h, s] of this.sessions) if (s === session) return this.touch(h) !== null;
    return false;
  }

  end(req: IncomingMessage): void {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id) this.sessions.delete(sha256(id));
  }

  private touch(hash: string): UiSession | null {
    const s = this.sessions.get(hash);
    if (!s) return null;
    if (!this.valid(s)) {
      this.sessions.delete(hash);
      return null;
    }
    s.lastUsedAt = this.now();
    return s;
  }

  private valid(s: UiSession): boolean {
    const t = this.now();
    return t - s.lastUsedAt <= this.limits.idleMs && t - s.createdAt <= this.limits.maxAgeMs && s.keyHash === sha256(this.apiKey());
  }

  private prune(): void {
    for (const [h, s] of this.sessions) if (!this.valid(s)) this.sessions.delete(h);
  }
}
