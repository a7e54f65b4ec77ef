import { timingSafeEqual, createHash } from "node:crypto";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../log.js";
import { errorBody } from "../api/errors.js";
import type { Router } from "../api/router.js";
import { MAX_FRAME_BYTES } from "./session.js";

export interface HttpDoorOptions {
  readonly listen: string;
  readonly apiKey: string;
  /** Extra unauthenticated-free handlers, e.g. /metrics; return true when handled. */
  readonly extra?: (req: IncomingMessage, res: ServerResponse, authorized: boolean) => boolean;
  /** Another credential the door accepts besides the bearer key (the installer page's session). */
  readonly authorize?: (req: IncomingMessage) => boolean;
  /**
   * Limits for slow or half-open clients. Not in the config file: production always runs the defaults
   * (10 s to send the headers, 30 s for the whole request); tests lower them to watch them work.
   */
  readonly timeouts?: { readonly headersMs?: number; readonly requestMs?: number };
}

/** A malformed, oversized or timed-out request the HTTP parser refused: answered in Seam's error shape, then closed. */
function clientErrorResponse(code: string | undefined): { status: number; message: string } {
  if (code === "HPE_HEADER_OVERFLOW") return { status: 431, message: "request headers are too large" };
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return { status: 408, message: "the request was not sent completely in time" };
  if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return { status: 413, message: "request body chunk extensions are too large" };
  return { status: 400, message: "malformed HTTP request; send HTTP/1.1 with a JSON body or a query string" };
}

/** Compare secrets in constant time (hash first, so lengths do not leak either). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

const error = errorBody;

/** Query strings as the Seam SDK sends them: repeated keys become lists, dotted keys objects; `_strict` is accepted and ignored. */
export function queryParams(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) {
    if (key === "_strict") continue;
    const all = url.searchParams.getAll(key);
    const name = key.endsWith("[]") ? key.slice(0, -2) : key;
    const value = all.length > 1 || key.endsWith("[]") ? all : all[0];
    // Objects arrive as dotted keys (custom_metadata_has.floor=2): nest them again, as own properties only.
    const parts = name.split(".");
    let into = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(into, part) ? into[part] : undefined;
      if (!next || typeof next !== "object" || Array.isArray(next)) Object.defineProperty(into, part, { value: {}, enumerable: true, writable: true, configurable: true });
      into = into[part] as Record<string, unknown>;
    }
    Object.defineProperty(into, parts.at(-1)!, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The local HTTP door: bearer auth, body or query parameters, one router. */
export class HttpDoor {
  private server: Server | null = null;
  address: { host: string; port: number } | null = null;
  /** The slow-client limits in force (ms). */
  readonly limits: { readonly headersMs: number; readonly requestMs: number };

  constructor(
    private readonly opts: HttpDoorOptions,
    private readonly router: Router,
    private readonly logger: Logger,
  ) {
    this.limits = { headersMs: opts.timeouts?.headersMs ?? 10_000, requestMs: opts.timeouts?.requestMs ?? 30_000 };
  }

  async start(): Promise<void> {
    const { headersMs, requestMs } = this.limits;
    // Slow or half-open clients must not hold sockets forever. Node checks these limits every
    // connectionsCheckingInterval (30 s by default, which would let a 10 s limit run to 40 s).
    const server = createServer({ headersTimeout: headersMs, requestTimeout: requestMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersMs / 4))) }, (req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.logger.error({ err: e instanceof Error ? e.message : String(e) }, "http handler failed");
        if (!res.headersSent) send(res, 500, error("internal_error", "the hub failed to handle this request"));
      });
    });
    server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
      const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (err.code === "ECONNRESET" || !socket.writable || inFlight?.headersSent) {
        socket.destroy();
        return;
      }
      const { status, message } = clientErrorResponse(err.code);
      const text = JSON.stringify(error("invalid_input", message));
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${text}`,
      );
    });
    // Expect other than 100-continue: Node would answer 417 with no body; answer in Seam's error shape.
    server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      send(res, 417, error("invalid_input", "the Expect header is not supported (only 100-continue); send the request without it"));
    });
    server.keepAliveTimeout = 5_000;
    server.timeout = 60_000;
    server.maxHeadersCount = 100;
    const i = this.opts.listen.lastIndexOf(":");
    const host = this.opts.listen.slice(0, i).replace(/^\[|\]$/g, "");
    const port = Number(this.opts.listen.slice(i + 1));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === "object") this.address = { host: addr.address, port: addr.port };
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://hub.local");
    const auth = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const authorized = (m !== null && secretEquals(m[1]!, this.opts.apiKey)) || (m === null && this.opts.authorize?.(req) === true);
    if (this.opts.extra?.(req, res, authorized)) return;
    if (!authorized) {
      req.resume();
      return send(res, 401, error("unauthorized", m ? "the API key is not valid for this hub" : "missing Authorization: Bearer <api_key> header"));
    }
    const method = req.method ?? "GET";
    let params: unknown;
    if (method === "GET" || method === "DELETE" || method === "HEAD") {
      params = queryParams(url);
    } else if (method === "POST" || method === "PATCH" || method === "PUT") {
      const body = await readBody(req);
      if (body === "too_large") return send(res, 413, error("invalid_input", `request body is larger than ${MAX_FRAME_BYTES} bytes`));
      if (body.trim() === "") params = queryParams(url);
      else {
        try {
          params = JSON.parse(body);
        } catch {
          return send(res, 400, error("invalid_input", "request body is not valid JSON"));
        }
      }
    } else {
      return send(res, 405, error("invalid_input", `method ${method.slice(0, 10)} is not supported; use POST with a JSON body or GET with a query string`));
    }
    const r = await this.router.handle({ path: url.pathname, params, door: "http" });
    send(res, r.status, r.body);
  }
}

function readBody(req: IncomingMessage): Promise<string | "too_large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_FRAME_BYTES) {
      req.resume();
      return resolve("too_large");
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_FRAME_BYTES) over = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(over ? "too_large" : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
