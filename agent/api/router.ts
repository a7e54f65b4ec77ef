import type { z } from "zod";
import type { Journal, Tx } from "../events/journal.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import { ApiError, errorBody, invalidInput } from "./errors.js";
import { describeParamIssues, paramIssueFields } from "./params.js";

export interface RouteResult {
  readonly status?: number;
  readonly body: Record<string, unknown>;
}

/** A route that changes state: synchronous, so it runs inside one SQLite transaction with its idempotency record. */
export interface MutationRoute<S extends z.ZodTypeAny> {
  readonly kind: "mutation";
  readonly path: string;
  readonly params: S;
  handle(input: z.infer<S>, tx: Tx): Record<string, unknown>;
}

/** A route that reads, or acts on a simulator: may await, never writes the store directly. */
export interface QueryRoute<S extends z.ZodTypeAny> {
  readonly kind: "query";
  readonly path: string;
  readonly params: S;
  handle(input: z.infer<S>, store: Store): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export type Route = MutationRoute<z.ZodTypeAny> | QueryRoute<z.ZodTypeAny>;

export interface RouterRequest {
  readonly path: string;
  readonly params: unknown;
  /** Idempotency key: a repeat returns the recorded response without running again (cloud and MQTT doors). */
  readonly requestId?: string;
  readonly door: "http" | "cloud" | "mqtt";
}

export interface RouterResponse {
  readonly status: number;
  readonly body: unknown;
}

const IDEMPOTENCY_WINDOW_MS = 48 * 3600_000;

/** The one router every door uses: path -> route, validated params, Seam errors, idempotency by request id. */
export class Router {
  private readonly routes = new Map<string, Route>();
  private readonly inFlight = new Map<string, Promise<RouterResponse>>();
  requests = 0;

  constructor(
    private readonly journal: Journal,
    private readonly logger: Logger,
  ) {}

  add(...routes: Route[]): this {
    for (const r of routes) this.routes.set(r.path, r);
    return this;
  }

  route(path: string): Route | undefined {
    return this.routes.get(path);
  }

  paths(): string[] {
    return [...this.routes.keys()].sort();
  }

  async handle(req: RouterRequest): Promise<RouterResponse> {
    this.requests++;
    const key = req.requestId;
    if (key === undefined) return this.run(req);
    // In flight first: its response is committed before it is durable, and must not be answered sooner.
    const running = this.inFlight.get(key);
    if (running) return running;
    const recorded = this.journal.store.recordedResponse(key);
    if (recorded) return { status: recorded.status, body: recorded.body };
    const p = this.run(req).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async run(req: RouterRequest): Promise<RouterResponse> {
    const route = this.routes.get(req.path);
    const key = req.requestId;
    // A refused request keeps its answer through a power cut (a retry must not run it after all);
    // the answer to a read may be lost with it, a retry reads again.
    const record = (res: RouterResponse, durable: boolean): RouterResponse => {
      const store = this.journal.store;
      if (key !== undefined) {
        const write = () => store.recordResponse(key, req.path, res.status, res.body, this.journal.clock.now());
        if (durable) store.durable(write);
        else write();
      }
      return res;
    };
    try {
      if (!route) throw new ApiError(404, "not_found", `no such path: ${req.path.slice(0, 200)}`);
      const params = req.params ?? {};
      if (typeof params !== "object" || Array.isArray(params)) throw invalidInput("parameters must be a JSON object");
      const parsed = route.params.safeParse(params);
      if (!parsed.success) throw new ApiError(400, "invalid_input", describeParamIssues(parsed.error.issues), undefined, paramIssueFields(parsed.error.issues));
      if (route.kind === "mutation") {
        // The change, its events and the recorded response commit together: an acknowledged request is never lost or run twice.
        return await this.journal.runDurable((tx) => {
          const body = { ...route.handle(parsed.data, tx), ok: true };
          const res = { status: 200, body };
          if (key !== undefined) tx.store.recordResponse(key, req.path, 200, body, tx.now);
          return res;
        });
      }
      const body = await route.handle(parsed.data, this.journal.store);
      return record({ status: 200, body: { ...body, ok: true } }, false);
    } catch (e) {
      if (e instanceof ApiError) return record({ status: e.status, body: e.body() }, true);
      this.logger.error({ err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e), path: req.path }, "request failed");
      return { status: 500, body: errorBody("internal_error", "the hub failed to handle this request; it has been logged") };
    }
  }

  /** Forget idempotency records older than the window (run daily). */
  prune(): number {
    return this.journal.store.pruneRequests(this.journal.clock.now() - IDEMPOTENCY_WINDOW_MS);
  }
}
