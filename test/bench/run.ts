// npm run bench: every row measured in this one run, each measurement in its own process.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fmt } from "./stats.js";

const here = path.dirname(new URL(import.meta.url).pathname);
const only = process.argv.slice(2);

function measure(mode: string): Record<string, number> {
  process.stderr.write(`bench: ${mode}...\n`);
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(here, "child.js"), mode], { encoding: "utf8", env: { ...process.env, NODE_ENV: "production" }, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as Record<string, number>;
  } catch {
    process.stderr.write(`bench ${mode} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}\n`);
    return {};
  }
}

const rows: Array<[string, string, string, string, string]> = [];
const row = (name: string, ours: string, baseline: string, ratio: string, target: string) => rows.push([name, ours, baseline, ratio, target]);
const want = (m: string) => !only.length || only.includes(m);

if (want("a")) {
  const direct = measure("direct250");
  const hub = measure("hub250");
  row("a) 250 codes on one lock: hub API vs direct zwave-js set", `${fmt(hub.ms! / 1000, 2)} s`, `${fmt(direct.ms! / 1000, 2)} s`, fmt(hub.ms! / direct.ms!, 2), "<= 1.15");
  row("b) hub overhead, API receipt -> driver call (p50 / p99)", `${fmt(hub.p50!, 2)} / ${fmt(hub.p99!, 2)} ms`, "-", "-", "p99 <= 5 ms");
}
if (want("c")) {
  const bare = measure("rssBare");
  const hub = measure("rssHub");
  row("c) RSS, 10 locks x 250 codes: compiled hub vs bare zwave-js (steady)", `${fmt(hub.rss!, 0)} MB`, `${fmt(bare.rss!, 0)} MB`, fmt(hub.rss! / bare.rss!, 2), "<= 1.15");
  row("c) peak RSS (VmHWM), same runs", `${fmt(hub.peak!, 0)} MB`, `${fmt(bare.peak!, 0)} MB`, fmt(hub.peak! / bare.peak!, 2), "-");
  row(`d) start to API ready with ${hub.codes ?? "?"} stored codes`, `${fmt(hub.readyMs! / 1000, 2)} s`, "-", "-", "<= 2 s");
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

const head: [string, string, string, string, string] = ["row", "lockbridge", "baseline", "ratio", "target"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
