// Starts the real hub the way a user does (`npm run agent -- --config <file>`), with its own data dir.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SeamHttp } from "@seamapi/http/connect";
import { freePort, sleep } from "./ports.js";

export interface SimLock {
  protocol: "zwave" | "zigbee";
  name: string;
  /** A lock model (drivers/sim/profiles): the keys below then override its facts. */
  profile?: string;
  /** Required without a profile. */
  slots?: number;
  code_lengths?: number[];
  checksum?: boolean;
  native_scheduling?: boolean;
  masked_readback?: boolean;
  battery?: boolean;
  auto_relock_s?: number;
  multi_code?: boolean;
}

export interface HubProcessOptions {
  locks: SimLock[];
  cloud?: { url: string; token: string };
  timing?: Record<string, number>;
  extra?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Run dist directly with node instead of through npm (benchmarks measuring the hub's own RSS). */
  direct?: boolean;
  /** Node flags before the script, with `direct`; extra to the production flags. */
  nodeArgs?: string[];
}

/** The project root, from source (test/support) or compiled (dist/test/support) alike. */
export function projectRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, "package.json")) || path.basename(dir) === "dist") dir = path.dirname(dir);
  return dir;
}

/** How many processes of a process group are alive (zombies excluded): the hub, not just npm, must be gone. */
export function liveInGroup(pgid: number): number {
  let n = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      const [state, , pgrp] = st.slice(st.lastIndexOf(")") + 2).split(" ");
      if (Number(pgrp) === pgid && state !== "Z" && state !== "X") n++;
    } catch {
      /* exited meanwhile */
    }
  }
  return n;
}

/** The node flags production runs the hub with: those of `npm run agent` (the systemd unit repeats them). */
export function productionNodeFlags(): string[] {
  if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(" ").filter(Boolean);
  const pkg = JSON.parse(readFileSync(path.join(projectRoot(), "package.json"), "utf8")) as { scripts: Record<string, string> };
  const words = (pkg.scripts.agent ?? "").split(/\s+/);
  const script = words.indexOf("dist/agent/main.js");
  if (words[0] !== "node" || script < 0) throw new Error(`package.json scripts.agent is not "node [flags] dist/agent/main.js": ${pkg.scripts.agent}`);
  return words.slice(1, script);
}

/** Every log line any hub wrote in this test process, for the PIN-leak scan. */
export const allHubLogs: string[] = [];

export class HubProcess {
  readonly dir = mkdtempSync(path.join(tmpdir(), "lockbridge-test-"));
  readonly apiKey = `seam_test_${randomUUID().replaceAll("-", "")}`;
  readonly hubId = randomUUID();
  readonly workspaceId = randomUUID();
  port = 0;
  logs = "";
  proc: ChildProcess | null = null;
  http!: SeamHttp;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: HubProcessOptions) {}

  get configPath(): string {
    return path.join(this.dir, "config.json");
  }
  get dataDir(): string {
    return path.join(this.dir, "data");
  }

  async writeConfig(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const config = {
      hub_id: this.hubId,
      workspace_id: this.workspaceId,
      connected_account_id: randomUUID(),
      data_dir: this.dataDir,
      local_api: { listen: `127.0.0.1:${this.port}`, api_key: this.apiKey },
      simulation: { locks: this.opts.locks },
      timing: { delay_warning_after_ms: 1500, failure_after_ms: 6000, program_ahead_ms: 1000, reconcile_interval_ms: 3_600_000, ...(this.opts.timing ?? {}) },
      log: { level: process.env.HUB_LOG_LEVEL ?? "info" },
      ...(this.opts.cloud ? { cloud: this.opts.cloud } : {}),
      ...(this.opts.extra ?? {}),
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  async start(readyMs = 60_000): Promise<this> {
    await this.writeConfig();
    const root = projectRoot();
    const cmd = this.opts.direct ? process.execPath : "npm";
    const args = this.opts.direct ? [...productionNodeFlags(), ...(this.opts.nodeArgs ?? []), path.join(root, "dist/agent/main.js"), "--config", this.configPath] : ["run", "--silent", "agent", "--", "--config", this.configPath];
    const proc = spawn(cmd, args, { cwd: root, env: { ...process.env, NODE_ENV: "production", ...(this.opts.env ?? {}) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.proc = proc;
    // npm exits at once on SIGTERM; the hub is gone only when its whole process group is.
    this.exited = new Promise((r) =>
      proc.once("exit", async () => {
        while (liveInGroup(proc.pid!) > 0) await sleep(25);
        r();
      }),
    );
    const collect = (d: Buffer) => {
      const s = d.toString();
      this.logs += s;
      allHubLogs.push(s);
    };
    proc.stdout!.on("data", collect);
    proc.stderr!.on("data", collect);
    this.http = new SeamHttp({ apiKey: this.apiKey, endpoint: `http://127.0.0.1:${this.port}` });
    const t0 = Date.now();
    for (;;) {
      try {
        const r = await this.post("/hub/status", {});
        if (r.status === 200) return this;
      } catch {
        /* not up yet */
      }
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`hub exited during start:\n${this.logs.slice(-3000)}`);
      if (Date.now() - t0 > readyMs) throw new Error(`hub not ready in ${readyMs} ms:\n${this.logs.slice(-3000)}`);
      await sleep(100);
    }
  }

  async post(p: string, body: unknown, key: string | null = this.apiKey): Promise<{ status: number; body: Record<string, any> }> {
    const r = await fetch(`http://127.0.0.1:${this.port}${p}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json: Record<string, any> = {};
    try {
      json = JSON.parse(text) as Record<string, any>;
    } catch {
      json = { raw: text };
    }
    return { status: r.status, body: json };
  }

  /** Devices by display name, once every configured lock has been interviewed. */
  async devices(): Promise<Map<string, Record<string, any>>> {
    const t0 = Date.now();
    for (;;) {
      const r = await this.post("/devices/list", {});
      const list = (r.body.devices ?? []) as Array<Record<string, any>>;
      if (list.length >= this.opts.locks.length) return new Map(list.map((d) => [d.display_name as string, d]));
      if (Date.now() - t0 > 60_000) throw new Error(`locks not ready: ${list.length}/${this.opts.locks.length}\n${this.logs.slice(-2000)}`);
      await sleep(100);
    }
  }

  /** The network keys the hub's Z-Wave simulation generated (dataDir/sim-zwave, mode 0600), for the leak scans. */
  networkKeys(): string[] {
    const file = path.join(this.dataDir, "sim-zwave", "zwave-simulation", "keys.json");
    if (!existsSync(file)) return [];
    return Object.values(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>);
  }

  async slots(deviceId: string): Promise<Array<{ slot: number; code: string | null }>> {
    const r = await this.post("/hub/simulate/lock_slots", { device_id: deviceId });
    return r.body.slots as Array<{ slot: number; code: string | null }>;
  }

  /** A call that must succeed: its body, else an error with the path, status and body. */
  async call(p: string, body: Record<string, unknown>): Promise<Record<string, any>> {
    const r = await this.post(p, body);
    if (r.status !== 200) throw new Error(`${p} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async accessCode(id: string): Promise<Record<string, any>> {
    return (await this.call("/access_codes/get", { access_code_id: id })).access_code as Record<string, any>;
  }

  /** The slot of the lock that physically holds `code`, if any. */
  async slotOf(deviceId: string, code: string): Promise<number | undefined> {
    return (await this.slots(deviceId)).find((s) => s.code === code)?.slot;
  }

  async unmanagedCodes(deviceId: string): Promise<Array<Record<string, any>>> {
    return (await this.call("/access_codes/unmanaged/list", { device_id: deviceId })).access_codes as Array<Record<string, any>>;
  }

  async stop(ms = 5000): Promise<{ graceful: boolean; code: number | null }> {
    const proc = this.proc;
    if (!proc) return { graceful: true, code: null };
    if (proc.exitCode !== null && liveInGroup(proc.pid!) === 0) return { graceful: true, code: proc.exitCode };
    try {
      process.kill(-proc.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    const done = await Promise.race([this.exited.then(() => true), sleep(ms).then(() => false)]);
    if (!done) this.kill9();
    await this.exited;
    return { graceful: done, code: proc.exitCode };
  }

  kill9(): void {
    try {
      process.kill(-this.proc!.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }

  async cleanup(): Promise<void> {
    await this.stop(3000).catch(() => undefined);
    if (process.env.HUB_LOG_DIR) writeFileSync(path.join(process.env.HUB_LOG_DIR, `${path.basename(this.dir)}.log`), this.logs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
