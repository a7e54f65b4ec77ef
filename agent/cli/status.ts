// `lockbridge status`: what the running hub reports, as lines or --json.
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG, errMsg, fetchStatus, plural, readConfig, type ReadConfig } from "./shared.js";


function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${s % 60}s` : `${s}s`;
}

export async function status(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: "string", default: DEFAULT_CONFIG }, json: { type: "boolean", default: false } }, strict: true });
  let cfg: ReadConfig;
  try {
    cfg = readConfig(path.resolve(values.config));
  } catch (e) {
    process.stderr.write(`lockbridge status: ${errMsg(e)}\n`);
    return 2;
  }
  if (!cfg.apiKey) {
    process.stderr.write(`lockbridge status: no API key in ${values.config} or ${path.join(cfg.dataDir, "identity.json")} (run as root?)\n`);
    return 2;
  }
  const r = await fetchStatus(cfg);
  if (r.kind === "unauthorized") {
    process.stderr.write(`lockbridge status: ${r.base} refused the API key from ${values.config}\n`);
    return 1;
  }
  if (r.kind === "error") {
    process.stderr.write(`lockbridge status: ${r.base}: ${r.reason}${r.code === "ECONNREFUSED" ? " (is the hub running? systemctl status lockbridge)" : ""}\n`);
    return 1;
  }
  const s = r.status;
  if (values.json) {
    process.stdout.write(JSON.stringify(s, null, 2) + "\n");
    return 0;
  }
  const locks = s.locks ?? [];
  const codes = Object.entries(s.access_codes ?? {}).filter(([, n]) => n > 0);
  const counters = s.counters ?? {};
  const byDoor = (counters.requests_by_door ?? {}) as Record<string, number>;
  const failures = Object.values((counters.radio_failures_by_kind ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
  const lines = [
    `hub       ${s.hub_id ?? "?"}  version ${s.version ?? "?"}, up ${duration(s.uptime_s ?? 0)}, API ${r.base}`,
    `cloud     ${s.cloud?.state ?? "?"}${s.cloud?.connects !== undefined ? ` (${plural(s.cloud.connects, "connect")})` : ""}`,
    `radios    ${
      Object.entries(s.radios ?? {})
        .map(([p, x]) => `${p}: ${plural(x.locks ?? 0, "lock")}${x.simulated ? " (simulated)" : ""}`)
        .join("; ") || "none running"
    }`,
    ...(s.pairings ?? []).map((p) => `pairing   ${p.protocol} ${p.kind} ${p.status} (${p.pairing_id}; window until ${p.expires_at})`),
    `locks     ${locks.length}`,
    ...locks.map((l) => `  ${l.name.padEnd(24)} ${l.protocol.padEnd(7)} ${l.removed ? "removed" : l.online ? "online " : "offline"}  queue ${l.queue_depth ?? 0}  ${l.device_id}`),
    `codes     ${codes.length ? codes.map(([k, n]) => `${k} ${n}`).join(", ") : "none"}`,
    `events    ${s.pending_events ?? 0} pending (not yet acknowledged by the cloud)`,
    `counters  requests ${counters.requests ?? 0}${Object.keys(byDoor).length ? ` (${Object.entries(byDoor).map(([d, n]) => `${d} ${n}`).join(", ")})` : ""}, radio commands ${counters.radio_commands ?? 0} (${failures} failed)`,
  ];
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

