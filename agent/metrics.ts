import type { IncomingMessage, ServerResponse } from "node:http";
import type { Router, RouterRequest, RouterResponse } from "./api/router.js";

/**
 * Prometheus metrics in the text exposition format (version 0.0.4), without a dependency.
 * Counters are kept here; gauges are read from the hub when /metrics is scraped.
 * Served on the local API listener at GET /metrics, behind the same bearer key, only with
 * `metrics.enabled: true` in the config.
 */

export type MetricType = "counter" | "gauge";
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

function formatLabels(labels: Labels | undefined): string {
  const keys = labels ? Object.keys(labels).sort() : [];
  if (!keys.length) return "";
  return `{${keys
    .map((k) => {
      if (!LABEL.test(k) || k.startsWith("__")) throw new Error(`invalid label name: ${k}`);
      return `${k}="${escapeLabel(labels![k]!)}"`;
    })
    .join(",")}}`;
}

/** Render families in the text format: HELP and TYPE once per family, one line per sample. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name: ${f.name}`);
    if (seen.has(f.name)) throw new Error(`metric ${f.name} rendered twice`);
    seen.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return lines.join("\n") + "\n";
}

/** What the hub reports at scrape time (gauges). */
export interface MetricsSnapshot {
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly outboxDepth: number;
  readonly cloud: { readonly configured: boolean; readonly connected: boolean; readonly connects: number };
  readonly codesByStatus: Readonly<Record<string, number>>;
  readonly locks: ReadonlyArray<{
    readonly deviceId: string;
    readonly name: string;
    readonly protocol: string;
    readonly online: boolean;
    readonly queueDepth: number;
    readonly radioCommands: number;
    readonly lastVerify: { readonly reason: string; readonly roundTrips: number; readonly fullRead: boolean; readonly at: number } | null;
  }>;
}

const inc = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const obj = (m: Map<string, number>): Record<string, number> => Object.fromEntries(sorted(m));

/** The hub's counters. One instance per hub. */
export class Metrics {
  private readonly radio = new Map<string, number>();
  private readonly radioFailures = new Map<string, number>();
  /** key: `${door} ${status}` */
  private readonly requests = new Map<string, number>();
  /** LOCK_DOOR / UNLOCK_DOOR attempts that ended; key: `${action} ${result}` */
  private readonly lockOperations = new Map<string, number>();

  /** The executor's onRadioCommand hook. */
  radioCommand(kind: string, ok: boolean): void {
    inc(this.radio, kind);
    if (!ok) inc(this.radioFailures, kind);
    else if (!this.radioFailures.has(kind)) this.radioFailures.set(kind, 0);
  }

  /** The executor's onLockOperation hook: an attempt ended. */
  lockOperation(locked: boolean, result: "success" | "error"): void {
    inc(this.lockOperations, `${locked ? "lock" : "unlock"} ${result}`);
  }

  request(door: string, status: number): void {
    inc(this.requests, `${door} ${status}`);
  }

  /** Count every request the router answers, by door and HTTP status (wraps router.handle). */
  instrumentRouter(router: Router): void {
    const handle = router.handle.bind(router);
    router.handle = async (req: RouterRequest): Promise<RouterResponse> => {
      try {
        const res = await handle(req);
        this.request(req.door, res.status);
        return res;
      } catch (e) {
        this.request(req.door, 500);
        throw e;
      }
    };
  }

  /** The counters for /hub/status. */
  counters(): {
    radio_commands_by_kind: Record<string, number>;
    radio_failures_by_kind: Record<string, number>;
    requests_by_door: Record<string, number>;
    lock_operations: Record<string, number>;
  } {
    const byDoor = new Map<string, number>();
    for (const [k, n] of this.requests) inc(byDoor, k.split(" ")[0]!, n);
    const operations = new Map([...this.lockOperations].map(([k, n]) => [k.replace(" ", "_"), n]));
    return { radio_commands_by_kind: obj(this.radio), radio_failures_by_kind: obj(this.radioFailures), requests_by_door: obj(byDoor), lock_operations: obj(operations) };
  }

  families(s: MetricsSnapshot): MetricFamily[] {
    const lockLabels = (l: MetricsSnapshot["locks"][number]) => ({ device_id: l.deviceId, name: l.name, protocol: l.protocol });
    return [
      { name: "lockbridge_build_info", help: "Version of the running hub.", type: "gauge", samples: [{ labels: { version: s.version }, value: 1 }] },
      { name: "lockbridge_uptime_seconds", help: "Seconds since the hub started.", type: "gauge", samples: [{ value: s.uptimeSeconds }] },
      {
        name: "lockbridge_requests_total",
        help: "API requests answered, by door and HTTP status.",
        type: "counter",
        samples: sorted(this.requests).map(([k, value]) => {
          const [door, status] = k.split(" ");
          return { labels: { door: door!, status: status! }, value };
        }),
      },
      { name: "lockbridge_radio_commands_total", help: "Radio commands sent to locks, by kind.", type: "counter", samples: sorted(this.radio).map(([kind, value]) => ({ labels: { kind }, value })) },
      { name: "lockbridge_radio_command_failures_total", help: "Radio commands that failed or were refused, by kind.", type: "counter", samples: sorted(this.radioFailures).map(([kind, value]) => ({ labels: { kind }, value })) },
      {
        name: "lockbridge_lock_operations_total",
        help: "lock_door / unlock_door action attempts that ended, by action and result.",
        type: "counter",
        samples: sorted(this.lockOperations).map(([k, value]) => {
          const [action, result] = k.split(" ");
          return { labels: { action: action!, result: result! }, value };
        }),
      },
      { name: "lockbridge_lock_radio_commands_total", help: "All radio round trips per lock, checksum reads included.", type: "counter", samples: s.locks.map((l) => ({ labels: lockLabels(l), value: l.radioCommands })) },
      { name: "lockbridge_lock_queue_depth", help: "Slot reads waiting in the lock's executor queue.", type: "gauge", samples: s.locks.map((l) => ({ labels: lockLabels(l), value: l.queueDepth })) },
      { name: "lockbridge_lock_online", help: "1 when the lock answers the hub's radio.", type: "gauge", samples: s.locks.map((l) => ({ labels: lockLabels(l), value: l.online ? 1 : 0 })) },
      {
        name: "lockbridge_reconcile_round_trips",
        help: "Radio round trips of the lock's last start-up or periodic check.",
        type: "gauge",
        samples: s.locks.flatMap((l) => (l.lastVerify ? [{ labels: { ...lockLabels(l), reason: l.lastVerify.reason, full_read: String(l.lastVerify.fullRead) }, value: l.lastVerify.roundTrips }] : [])),
      },
      {
        name: "lockbridge_reconcile_last_timestamp_seconds",
        help: "When the lock's last start-up or periodic check ended (Unix time).",
        type: "gauge",
        samples: s.locks.flatMap((l) => (l.lastVerify ? [{ labels: lockLabels(l), value: Math.round(l.lastVerify.at / 1000) }] : [])),
      },
      { name: "lockbridge_access_codes", help: "Managed access codes by status.", type: "gauge", samples: sorted(new Map(Object.entries(s.codesByStatus))).map(([status, value]) => ({ labels: { status }, value })) },
      { name: "lockbridge_outbox_depth", help: "Events not yet acknowledged by the cloud.", type: "gauge", samples: [{ value: s.outboxDepth }] },
      { name: "lockbridge_cloud_connected", help: "1 while the cloud WebSocket link is up.", type: "gauge", samples: s.cloud.configured ? [{ value: s.cloud.connected ? 1 : 0 }] : [] },
      { name: "lockbridge_cloud_connects_total", help: "Cloud WebSocket connections made.", type: "counter", samples: s.cloud.configured ? [{ value: s.cloud.connects }] : [] },
    ];
  }

  render(s: MetricsSnapshot): string {
    return renderExposition(this.families(s));
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The HttpDoor `extra` hook for GET /metrics. Disabled: not handled (the router answers 404).
 * Enabled: 401 without the API key, else the exposition text.
 */
export function metricsEndpoint(enabled: boolean, render: () => string): (req: IncomingMessage, res: ServerResponse, authorized: boolean) => boolean {
  return (req, res, authorized) => {
    if (!enabled) return false;
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return false;
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname !== "/metrics") return false;
    req.resume();
    if (!authorized) {
      const body = JSON.stringify({ error: { type: "unauthorized", message: "missing or invalid Authorization: Bearer <api_key> header" } });
      res.writeHead(401, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
      res.end(body);
      return true;
    }
    const text = render();
    res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
    res.end(method === "HEAD" ? undefined : text);
    return true;
  };
}
