// npm run bench:fleet [-- --hubs K --requests N --concurrency C]
//
// K real hub processes (compiled, `node dist/agent/main.js`, one simulated Z-Wave lock each on zwave-js's mock
// controller) on one private Mosquitto; a cloud-side mqtt.js client spreads N requests across them (mostly
// access_codes/list, a share of create and delete) and consumes every event, acking it. Then the same
// workload over the WebSocket door against one test cloud. Prints one row per door; stops and cleans up.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import type { WebSocket, WebSocketServer } from "ws";
import { HubProcess } from "../support/hub-process.js";
import { Mosquitto, MqttCloud } from "../support/mosquitto.js";
import { sleep, waitFor } from "../support/ports.js";
import { TestCloud } from "../support/test-cloud.js";

const { values } = parseArgs({
  options: {
    hubs: { type: "string", default: "20" },
    requests: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "64" },
    "start-concurrency": { type: "string", default: "2" },
  },
  strict: true,
});
const K = Number(values.hubs);
const N = Number(values.requests);
const C = Number(values.concurrency);
const START_CONCURRENCY = Number(values["start-concurrency"]);
if (![K, N, C, START_CONCURRENCY].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write("usage: bench:fleet [--hubs K] [--requests N] [--concurrency C] [--start-concurrency S] (positive integers)\n");
  process.exit(2);
}

const log = (s: string) => process.stderr.write(`fleet: ${s}\n`);
const percentile = (sorted: readonly number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : Number.NaN);
const rssMb = (pid: number | undefined) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};
/** The hub's node process: HubProcess starts it in its own process group (npm -> sh -> node dist/agent/main.js). */
function hubPid(hub: HubProcess): number | undefined {
  const group = hub.proc?.pid;
  if (group === undefined) return undefined;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (/(^|\/)node$/.test(argv[0] ?? "") && (argv[1] ?? "").endsWith("dist/agent/main.js")) return Number(entry);
    } catch {
      /* gone */
    }
  }
  return group;
}
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

type Reply = { status: number; body: Record<string, any> };
/** One door as the cloud sees it: send a request to a hub, get its response. */
interface CloudSide {
  request(hubId: string, path: string, body: unknown): Promise<Reply>;
  events(): number;
  /** Milliseconds from each event's created_at on the hub to its first arrival at the cloud. */
  readonly eventLatencies: number[];
}

const eventLatency = (e: Record<string, unknown>) => Date.now() - Date.parse(String(e.created_at));

interface Row {
  door: string;
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  events: number;
  eventSeconds: number;
  eventP50: number;
  eventP99: number;
  connections: string;
  rssMean: number;
  rssMax: number;
  startSeconds: number;
}

const hubs: HubProcess[] = [];
let broker: Mosquitto | null = null;
const closers: Array<() => Promise<void>> = [];

async function cleanup(): Promise<void> {
  await Promise.all(hubs.splice(0).map((h) => h.cleanup().catch(() => undefined)));
  for (const c of closers.splice(0)) await c().catch(() => undefined);
  await broker?.cleanup().catch(() => undefined);
  broker = null;
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
// Never hang a CI box: the whole run has a hard deadline.
const deadline = setTimeout(() => {
  log("deadline reached (20 min); cleaning up");
  void cleanup().finally(() => process.exit(1));
}, 20 * 60_000);
deadline.unref();

/** Starts K hubs, a few at a time (zwave-js start-up is CPU-heavy), each with one simulated Z-Wave lock. */
async function startHubs(extra: (h: HubProcess) => Partial<HubProcess["opts"]>): Promise<{ list: Array<{ hub: HubProcess; device: string }>; seconds: number }> {
  const t0 = Date.now();
  const list: Array<{ hub: HubProcess; device: string }> = [];
  let next = 0;
  const worker = async () => {
    while (next < K) {
      const i = next++;
      // Through `npm run agent` (which runs dist/agent/main.js without building): HubProcess's `direct` mode
      // resolves the repo root from its own location, which is dist/ once compiled. RSS is read from the
      // node process itself, not npm (hubPid).
      const hub = new HubProcess({ locks: [{ protocol: "zwave", name: `Lock ${i}`, slots: 40, code_lengths: [4, 5, 6, 7, 8] }] });
      Object.assign(hub.opts, extra(hub));
      hubs.push(hub);
      await hub.start(120_000);
      const device = [...(await hub.devices()).values()][0]!.device_id as string;
      list.push({ hub, device });
      log(`hub ${list.length}/${K} ready`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, K) }, worker));
  return { list, seconds: (Date.now() - t0) / 1000 };
}

async function stopHubs(): Promise<void> {
  await Promise.all(hubs.splice(0).map((h) => h.cleanup()));
}

function drained(fleet: Array<{ hub: HubProcess }>, what: string): Promise<boolean> {
  return waitFor(
    async () => {
      // Settled: no code still being written or removed on its lock, and the outbox acked empty.
      const status = await Promise.all(fleet.map(async ({ hub }) => (await hub.post("/hub/status", {})).body.hub as { pending_events: number; access_codes: Record<string, number> } | undefined));
      return status.every((h) => h && h.pending_events === 0 && !h.access_codes.setting && !h.access_codes.removing);
    },
    what,
    180_000,
    100,
  );
}

/** The same workload for either door: N requests over the hubs, C in flight; then every event acked. */
async function workload(door: string, fleet: Array<{ hub: HubProcess; device: string }>, cloud: CloudSide, connections: () => Promise<string>, startSeconds: number): Promise<Row> {
  await drained(fleet, `${door}: start-up events acked`);
  const created = new Map<string, string[]>(fleet.map((f) => [f.hub.hubId, []]));
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const eventsBefore = cloud.events();
  cloud.eventLatencies.length = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = issued++;
      if (i >= N) return;
      const { hub, device } = fleet[i % fleet.length]!;
      const mine = created.get(hub.hubId)!;
      // 80% list, 10% create, 10% delete (of a code this run created on that hub; list if there is none).
      const round = Math.floor(i / fleet.length) % 10;
      const kind = round === 3 ? "create" : round === 7 && mine.length ? "delete" : "list";
      const path = kind === "create" ? "/access_codes/create" : kind === "delete" ? "/access_codes/delete" : "/access_codes/list";
      const body = kind === "create" ? { device_id: device, name: `bench ${i}` } : kind === "delete" ? { access_code_id: mine.shift()! } : { device_id: device };
      const s = performance.now();
      try {
        const r = await cloud.request(hub.hubId, path, body);
        latencies.push(performance.now() - s);
        if (r.status !== 200) errors++;
        else if (kind === "create") mine.push(r.body.access_code.access_code_id as string);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const requestSeconds = (performance.now() - t0) / 1000;
  // Every event the workload caused reaches the cloud and is acked: each hub's outbox drains.
  await drained(fleet, `${door}: every hub's outbox drained`);
  const eventSeconds = (performance.now() - t0) / 1000;
  const rss = fleet.map(({ hub }) => rssMb(hubPid(hub)));
  latencies.sort((a, b) => a - b);
  const evLat = [...cloud.eventLatencies].sort((a, b) => a - b);
  return {
    door,
    requests: N,
    errors,
    seconds: requestSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    events: cloud.events() - eventsBefore,
    eventSeconds,
    eventP50: percentile(evLat, 50),
    eventP99: percentile(evLat, 99),
    connections: await connections(),
    rssMean: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMax: Math.max(...rss),
    startSeconds,
  };
}

async function mqttRow(): Promise<Row> {
  broker = await new Mosquitto({ conf: ["sys_interval 1", "max_queued_messages 100000", "max_inflight_messages 100"] }).start();
  log(`mosquitto on ${broker.url}`);
  const cloud = await new MqttCloud({ url: broker.url, record: false, clientId: `cloud-${randomUUID()}` }).connect();
  closers.push(() => cloud.close());
  // $SYS/broker/clients/connected: what the broker itself counts.
  let brokerClients = Number.NaN;
  const sys = await mqtt.connectAsync(broker.url, { clientId: `sys-${randomUUID()}`, reconnectPeriod: 0 });
  closers.push(() => sys.endAsync(true));
  sys.on("message", (_t, p) => (brokerClients = Number(p.toString())));
  await sys.subscribeAsync("$SYS/broker/clients/connected");

  const { list, seconds } = await startHubs(() => ({ extra: { mqtt: { url: broker!.url } } }));
  await waitFor(() => list.every(({ hub }) => cloud.status.get(hub.hubId) === "online"), "every hub online on the broker", 60_000);
  const connected = async () => {
    await sleep(1500);
    return `${brokerClients} on the broker`;
  };
  const side: CloudSide = { request: (hubId, path, body) => cloud.request(hubId, path, body, randomUUID(), 60_000), events: () => cloud.eventCount, eventLatencies: [] };
  cloud.onEvent = (_hub, e) => side.eventLatencies.push(eventLatency(e));
  log(`mqtt: ${N} requests over ${K} hubs`);
  const row = await workload("MQTT (Mosquitto)", list, side, connected, seconds);
  await stopHubs();
  return row;
}

async function wsRow(): Promise<Row> {
  const cloud = await new TestCloud().listen();
  closers.push(() => cloud.close());
  // TestCloud answers one hub at a time (its last socket); the fleet needs each hub's own socket, which its
  // hello names. Its server and frame recording (events counted, each acked) are used as they are.
  const wss = (cloud as unknown as { wss: WebSocketServer }).wss;
  const sockets = new Map<string, WebSocket>();
  const eventLatencies: number[] = [];
  const seen = new Set<string>();
  const pending = new Map<string, (r: Reply) => void>();
  wss.on("connection", (sock) => {
    sock.on("message", (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"hello"')) {
        const hello = JSON.parse(text) as { hub_id: string };
        sockets.set(hello.hub_id, sock);
      } else if (text.startsWith('{"type":"response"')) {
        const f = JSON.parse(text) as { id: string; status: number; body: Record<string, any> };
        pending.get(f.id)?.({ status: f.status, body: f.body });
        pending.delete(f.id);
      } else if (text.startsWith('{"type":"event"')) {
        const e = (JSON.parse(text) as { event: { event_id: string; created_at: string } }).event;
        if (!seen.has(e.event_id)) (seen.add(e.event_id), eventLatencies.push(eventLatency(e)));
      }
    });
  });
  const { list, seconds } = await startHubs(() => ({ cloud: { url: cloud.url, token: cloud.token } }));
  await waitFor(() => list.every(({ hub }) => sockets.has(hub.hubId)), "every hub on the cloud WebSocket", 60_000);
  const side: CloudSide = {
    request: (hubId, path, body) =>
      new Promise<Reply>((resolve, reject) => {
        const id = randomUUID();
        const t = setTimeout(() => (pending.delete(id), reject(new Error(`no response to ${path}`))), 60_000);
        pending.set(id, (r) => (clearTimeout(t), resolve(r)));
        sockets.get(hubId)!.send(JSON.stringify({ type: "request", id, path, body }));
      }),
    events: () => cloud.events.length,
    eventLatencies,
  };
  log(`ws: ${N} requests over ${K} hubs`);
  const row = await workload("WebSocket (test cloud)", list, side, async () => `${wss.clients.size} on the cloud`, seconds);
  await stopHubs();
  return row;
}

function print(rows: Row[]): void {
  const head = ["door", "hubs", "requests", "requests/s", "request latency p50 / p99", "events", "events/s", "event latency p50 / p99", "connections", "RSS per hub (mean / max)", "hubs started in"];
  const table = rows.map((r) => [
    r.door,
    String(K),
    `${r.requests}${r.errors ? ` (${r.errors} errors)` : ""}`,
    fmt(r.requests / r.seconds, 0),
    `${fmt(r.p50, 1)} / ${fmt(r.p99, 1)} ms`,
    String(r.events),
    fmt(r.events / r.eventSeconds, 0),
    `${fmt(r.eventP50, 0)} / ${fmt(r.eventP99, 0)} ms`,
    r.connections,
    `${fmt(r.rssMean, 0)} / ${fmt(r.rssMax, 0)} MB`,
    `${fmt(r.startSeconds, 0)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of table) console.log(line(r));
  console.log(`\nconnections: clients the broker counts ($SYS/broker/clients/connected: the hubs, the cloud client and the $SYS reader) / WebSocket links open at the test cloud.`);
  console.log(`${K} hubs x 1 simulated Z-Wave lock; ${N} requests, ${C} in flight (80% access_codes/list, 10% create, 10% delete);`);
  console.log("events/s: events received by the cloud from the first request until every lock settled and every outbox was acked empty");
  console.log("(bounded by the simulated locks, not the door); event latency: the event's created_at on the hub to its arrival at the cloud.");
}

const t0 = Date.now();
try {
  const rows = [await mqttRow()];
  await cleanup();
  rows.push(await wsRow());
  print(rows);
  log(`done in ${fmt((Date.now() - t0) / 1000, 0)} s`);
} catch (e) {
  log(`failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  clearTimeout(deadline);
}
