// npm run bench: every row measured in this one run, each measurement in its own process.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { productionNodeFlags } from "../support/hub-process.js";
import { fmt, median, percentile } from "./stats.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);
// Every measurement runs under the node flags production uses (package.json "agent", the systemd unit):
// the hub's side and the baseline's alike, so a ratio compares code, not V8 settings.
// BENCH_NODE_FLAGS overrides them, for trying V8 settings (productionNodeFlags reads it).
const flags = productionNodeFlags();
// This 2-core VM's run-to-run noise is ±15%: timed rows take the median of interleaved runs.
const reps = Math.max(1, Number(process.env.BENCH_REPS ?? 5));

function measure(mode: string): Record<string, any> {
  process.stderr.write(`bench: ${mode}...\n`);
  const r = spawnSync(process.execPath, [...flags, "--expose-gc", path.join(here, "child.js"), mode], { encoding: "utf8", env: { ...process.env, NODE_ENV: "production" }, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    process.stderr.write(`bench ${mode} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}\n`);
    return {};
  }
}

const rows: Array<[string, string, string, string, string]> = [];
const row = (name: string, ours: string, baseline: string, ratio: string, target: string) => rows.push([name, ours, baseline, ratio, target]);
const want = (m: string) => !only.length || only.includes(m);

if (want("a")) {
  const direct: number[] = [];
  const hub: number[] = [];
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    direct.push(measure("direct250").ms as number);
    const h = measure("hub250");
    hub.push(h.ms as number);
    samples.push(...(h.samples as number[]));
  }
  samples.sort((a, b) => a - b);
  const ratios = hub.map((h, i) => fmt(h / direct[i]!, 2)).join(", ");
  row(`a) 250 codes on one lock: hub API vs direct zwave-js set (median of ${reps}; run ratios ${ratios})`, `${fmt(median(hub) / 1000, 2)} s`, `${fmt(median(direct) / 1000, 2)} s`, fmt(median(hub) / median(direct), 2), "<= 1.15");
  row(`b) hub overhead, API receipt -> driver call (p50 / p99 of ${samples.length})`, `${fmt(percentile(samples, 50), 2)} / ${fmt(percentile(samples, 99), 2)} ms`, "-", "-", "p99 <= 5 ms");
}
if (want("c")) {
  const bare: Array<Record<string, number>> = [];
  const hubs: Array<Record<string, number>> = [];
  const cReps = Math.max(1, Math.min(reps, 2));
  for (let i = 0; i < cReps; i++) (bare.push(measure("rssBare")), hubs.push(measure("rssHub")));
  const low = (runs: Array<Record<string, number>>, k: string) => Math.min(...runs.map((r) => r[k]!));
  const [bRss, hRss, bPeak, hPeak] = [low(bare, "rss"), low(hubs, "rss"), low(bare, "peak"), low(hubs, "peak")];
  row(`c) RSS, 10 locks x 250 codes: compiled hub vs bare zwave-js (steady, lower of ${cReps}; node ${flags.join(" ")})`, `${fmt(hRss, 0)} MB`, `${fmt(bRss, 0)} MB`, fmt(hRss / bRss, 2), "<= 1.15");
  row("c) peak RSS (VmHWM), same runs", `${fmt(hPeak, 0)} MB`, `${fmt(bPeak, 0)} MB`, fmt(hPeak / bPeak, 2), "-");
  row(`d) start to API ready with ${hubs[0]!.codes ?? "?"} stored codes (median of ${cReps})`, `${fmt(median(hubs.map((h) => h.readyMs!)) / 1000, 2)} s`, "-", "-", "<= 2 s");
}
if (want("frames")) {
  const z = measure("framesZwave");
  row("3) unchanged 250-slot checksum lock at start-up: frames (round trips)", `${z.startupFrames} (${z.startupRoundTrips})`, `${z.fullReadFrames} (${z.fullReadFrames! / 2})`, `${fmt(z.fullReadFrames! / Math.max(1, z.startupFrames!), 0)}x fewer`, "<= 2 round trips, >= 100x");
  row("3) one keypad change detected and classified: frames (round trips)", `${z.keypadFrames} (${fmt(z.keypadFrames! / 2, 1)})`, "-", "-", "<= 3 round trips");
  const idle = measure("idleZwave");
  row("3) idle radio frames per simulated hour, 10 Z-Wave locks", fmt(idle.perHour!, 2), "-", "-", "low (checksum only)");
  const g = measure("framesZigbee");
  row("5) 20-slot Zigbee lock start-up frames: first start / restart vs reading every slot", `${g.firstStart} / ${g.restart}`, `${g.fullRead}`, `${fmt(g.fullRead! / Math.max(1, g.restart!), 0)}x fewer on restart`, "fewer");
  row("5) idle frames per simulated hour, Zigbee lock", fmt(g.idlePerHour!, 2), "-", "-", "0");
}

if (want("unlock")) {
  // Issue 14: an unlock, request to `success`, against a direct zwave-js Door Lock set on the same simulated lock.
  const direct: number[] = [];
  const hub: number[] = [];
  for (let i = 0; i < reps; i++) {
    direct.push(measure("unlockDirect").p50 as number);
    hub.push(measure("unlockHub").p50 as number);
  }
  const ratios = hub.map((h, i) => fmt(h / direct[i]!, 2)).join(", ");
  row(`14) unlock request to success: hub /locks/unlock_door vs direct zwave-js Door Lock set (median of ${reps} runs of 20; run ratios ${ratios})`, `${fmt(median(hub), 1)} ms`, `${fmt(median(direct), 1)} ms`, fmt(median(hub) / median(direct), 2), "<= 1.05");
}

if (want("ui")) {
  const kb = (b: number) => `${fmt(b / 1024, 1)} KB`;
  const size = measure("uiSize");
  row("16) installer page, first view transferred (gzip): login page / through the hub view after login (assets + API reads)", `${kb(size.loginBytes)} / ${kb(size.firstViewBytes)}`, "-", "-", "<= 150 KB");
  const idle = measure("uiIdle");
  const delta = (a: number, b: number) => `${a >= b ? "+" : ""}${fmt(a - b, 1)} MB`;
  row(`16) hub RSS with the page open and idle (${idle.streamsOpen} live stream) vs just before it opened (2nd round; 1st: ${delta(idle.open1!, idle.never!)})`, `${fmt(idle.open2, 1)} MB`, `${fmt(idle.closed1, 1)} MB`, delta(idle.open2!, idle.closed1!), "<= +5 MB");
  row(`16) hub RSS after the page logged out and closed (streams ${idle.streamsAfter}, sessions ${idle.sessionsAfter}) vs never opened`, `${fmt(idle.closed2, 1)} MB`, `${fmt(idle.never, 1)} MB`, delta(idle.closed2!, idle.never!), "~0, nothing held");
}

const head: [string, string, string, string, string] = ["row", "lockbridge", "baseline", "ratio", "target"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
