// `lockbridge doctor`: checks the installation, the running hub and its links; exits 1 on any FAIL.
import { execFile } from "node:child_process";
import { accessSync, chmodSync, chownSync, constants, existsSync, readdirSync, readFileSync, realpathSync, statfsSync, statSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { MIGRATIONS } from "../store/migrations.js";
import { DEFAULT_CONFIG, SERVICE_USER, errCode, errMsg, fetchStatus, isRoot, plural, readConfig, serialAdapters, whoami, type HubStatus, type ReadConfig } from "./shared.js";

const MIN_FREE_BYTES = 100 * 1024 * 1024;


type Level = "OK" | "WARN" | "FAIL";
interface Check {
  readonly level: Level;
  readonly name: string;
  readonly message: string;
}

const modeOf = (p: string) => statSync(p).mode & 0o777;
const octal = (m: number) => `0${m.toString(8).padStart(3, "0")}`;

function checkPerms(name: string, p: string, want: number, fix: string): Check {
  const mode = modeOf(p);
  if (mode & ~want & 0o077) return { level: "WARN", name, message: `${p} has mode ${octal(mode)}, want ${octal(want)}: ${fix}` };
  return { level: "OK", name, message: `${p} mode ${octal(mode)}` };
}

function checkSerial(radio: string, port: string): Check {
  const name = `serial ${radio}`;
  if (!existsSync(port)) {
    const present = serialAdapters().map((a) => a.path);
    return { level: "FAIL", name, message: `${radio}.port ${port} does not exist; plug the adapter in or set ${radio}.port to one of: ${present.length ? present.join(", ") : "(no adapters in /dev/serial/by-id)"}` };
  }
  let target = port;
  try {
    target = realpathSync(port);
  } catch {
    /* keep the name */
  }
  const st = statSync(target);
  if (!st.isCharacterDevice()) return { level: "WARN", name, message: `${port} -> ${target} is not a character device; is this the adapter?` };
  const asRoot = isRoot() ? `; checked as root: run \`sudo -u ${SERVICE_USER} lockbridge doctor\` to check the service's user` : "";
  try {
    accessSync(target, constants.R_OK | constants.W_OK);
  } catch {
    return { level: "FAIL", name, message: `${port} -> ${target} is not readable and writable by ${whoami()} (mode ${octal(st.mode & 0o777)}, gid ${st.gid}): add the user to that group (the unit has SupplementaryGroups=dialout)` };
  }
  return { level: "OK", name, message: `${port} -> ${target} readable and writable by ${whoami()}${asRoot}` };
}

async function checkDatabase(dataDir: string): Promise<Check[]> {
  const file = path.join(dataDir, "lockbridge.db");
  if (!existsSync(file)) return [{ level: "WARN", name: "database", message: `${file} does not exist yet; the hub creates it on first start` }];
  const checks: Check[] = [checkPerms("database perms", file, 0o600, `chmod 600 ${file}`)];
  const owner = statSync(file);
  const sidecars = [`${file}-wal`, `${file}-shm`];
  for (const f of sidecars.filter(existsSync)) {
    const st = statSync(f);
    if (st.uid !== owner.uid) checks.push({ level: "FAIL", name: "database perms", message: `${f} belongs to uid ${st.uid}, the database to uid ${owner.uid}: the hub cannot open it; chown ${owner.uid}:${owner.gid} ${f}` });
  }
  const existed = sidecars.filter(existsSync);
  try {
    const { default: Database } = await import("better-sqlite3");
    // Even a read-only connection creates -wal and -shm when they are missing (hub stopped).
    // Run as root, they would belong to root and the service user could no longer open the
    // database: hand any that this check created to the database's owner.
    const giveBack = () => {
      for (const f of sidecars.filter((x) => !existed.includes(x) && existsSync(x))) {
        try {
          if (statSync(f).uid !== owner.uid && isRoot()) chownSync(f, owner.uid, owner.gid);
          chmodSync(f, 0o600);
        } catch {
          /* best effort */
        }
      }
    };
    let db;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (e) {
      giveBack();
      throw e;
    }
    try {
      db.pragma("busy_timeout = 3000");
      const rows = db.pragma("integrity_check") as Array<{ integrity_check: string }>;
      const schema = Number(db.pragma("user_version", { simple: true }));
      const result = rows.map((r) => r.integrity_check);
      if (result.length !== 1 || result[0] !== "ok") {
        checks.unshift({ level: "FAIL", name: "database", message: `integrity_check: ${result.slice(0, 3).join("; ")}: stop the hub and restore ${file} from a backup (docs/durability.md)` });
      } else if (schema > MIGRATIONS.length) {
        checks.unshift({ level: "FAIL", name: "database", message: `schema version ${schema} is newer than this lockbridge (${MIGRATIONS.length}): install the newer version again` });
      } else {
        checks.unshift({ level: "OK", name: "database", message: `${file}: integrity_check ok, schema ${schema}/${MIGRATIONS.length}` });
      }
    } finally {
      db.close();
      giveBack();
    }
  } catch (e) {
    checks.unshift({ level: "FAIL", name: "database", message: `cannot open ${file} read-only: ${errMsg(e)}` });
  }
  return checks;
}

function checkDisk(dataDir: string): Check {
  let dir = dataDir;
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const mb = Math.floor(free / 1024 / 1024);
    if (free < MIN_FREE_BYTES) return { level: "WARN", name: "disk", message: `${mb} MB free on ${dir}: below 100 MB; free space (journalctl --vacuum-size=50M, apt-get clean)` };
    return { level: "OK", name: "disk", message: `${mb} MB free on ${dir}` };
  } catch (e) {
    return { level: "WARN", name: "disk", message: `cannot read free space of ${dir}: ${errMsg(e)}` };
  }
}

function run(cmd: string, args: string[], timeoutMs = 3000): Promise<{ ok: boolean; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (e, stdout, stderr) => resolve({ ok: !e, out: String(stdout).trim(), err: String(stderr).trim() || (e ? errMsg(e) : "") }));
  });
}

async function checkClock(): Promise<Check> {
  const r = await run("timedatectl", ["show", "-p", "NTPSynchronized", "--value"]);
  if (r.ok && r.out === "yes") return { level: "OK", name: "clock", message: "NTP synchronized" };
  if (r.ok && r.out === "no") return { level: "WARN", name: "clock", message: "not NTP synchronized: time-bound codes follow this clock; run `timedatectl set-ntp true` and check network access to NTP" };
  return { level: "WARN", name: "clock", message: `sync unknown (timedatectl: ${(r.err || r.out || "no answer").split("\n")[0]}); make sure NTP keeps the clock right` };
}

/** Open the cloud WebSocket with the token and close it at once: ok, refused (401/403), or unreachable. */
async function probeCloud(url: string, token: string, caFile: string | undefined, timeoutMs: number): Promise<{ kind: "ok" } | { kind: "unauthorized"; status: number } | { kind: "http"; status: number } | { kind: "unreachable"; reason: string }> {
  const { default: WebSocket } = await import("ws");
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Awaited<ReturnType<typeof probeCloud>>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    let ca: Buffer | undefined;
    try {
      ca = caFile ? readFileSync(caFile) : undefined;
    } catch (e) {
      return finish({ kind: "unreachable", reason: `cannot read cloud.ca_file: ${errCode(e) ?? errMsg(e)}` });
    }
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, handshakeTimeout: timeoutMs, ...(ca ? { ca } : {}) });
    const timer = setTimeout(() => {
      ws.terminate();
      finish({ kind: "unreachable", reason: `no answer within ${timeoutMs} ms` });
    }, timeoutMs + 500);
    ws.on("open", () => {
      ws.close(1000, "lockbridge doctor");
      finish({ kind: "ok" });
    });
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      finish(status === 401 || status === 403 ? { kind: "unauthorized", status } : { kind: "http", status });
    });
    ws.on("error", (e) => finish({ kind: "unreachable", reason: errCode(e) ?? errMsg(e) }));
  });
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid url)";
  }
};

async function checkCloud(cfg: ReadConfig, status: HubStatus | null): Promise<Check> {
  const cloud = cfg.file.cloud;
  if (!cloud) return { level: "OK", name: "cloud", message: "not configured (local-only hub)" };
  const host = hostOf(cloud.url);
  if (!cloud.token) {
    if (cfg.credentials.exists && !cfg.credentials.readable) return { level: "WARN", name: "cloud", message: `cannot check: the token is not in the config and ${cfg.credentials.path} is not readable by ${whoami()}; run doctor as root` };
    return { level: "FAIL", name: "cloud", message: `cloud.url is set but there is no token: put LOCKBRIDGE_CLOUD_TOKEN=... in ${cfg.credentials.path}` };
  }
  const hubState = status?.cloud?.state;
  if (hubState === "connected") return { level: "OK", name: "cloud", message: `the hub's link to ${host} is connected (${status?.cloud?.connects ?? 0} connects since start)` };
  const probe = await probeCloud(cloud.url, cloud.token, cloud.ca_file, 4000);
  const hubSays = hubState ? `; the hub's link is ${hubState}` : "";
  switch (probe.kind) {
    case "ok":
      if (status && hubState !== "connected")
        return { level: "WARN", name: "cloud", message: `${host} is reachable and accepts the token from here, but the hub's link is ${hubState ?? "down"}: if the unit's IPAddressAllow= does not cover the cloud (and DNS), add it in a drop-in (docs/install.md)` };
      return { level: "OK", name: "cloud", message: `${host} reachable, token accepted` };
    case "unauthorized":
      return { level: "FAIL", name: "cloud", message: `${host} refused the token (HTTP ${probe.status})${hubSays}: check LOCKBRIDGE_CLOUD_TOKEN in ${cfg.credentials.path}` };
    case "http":
      return { level: "FAIL", name: "cloud", message: `${host} answered HTTP ${probe.status} instead of a WebSocket upgrade${hubSays}: check cloud.url` };
    case "unreachable":
      return { level: "FAIL", name: "cloud", message: `${host} unreachable (${probe.reason})${hubSays}: check the network, DNS and cloud.url` };
  }
}

function checkTcp(name: string, url: string, timeoutMs = 3000): Promise<Check> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = Number(u.port) || ({ "mqtt:": 1883, "mqtts:": 8883, "ws:": 80, "wss:": 443 } as Record<string, number>)[u.protocol] || 1883;
  } catch {
    return Promise.resolve({ level: "FAIL", name, message: `invalid url` });
  }
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (c: Check) => {
      s.destroy();
      resolve(c);
    };
    s.setTimeout(timeoutMs, () => done({ level: "FAIL", name, message: `${host}:${port} did not answer within ${timeoutMs} ms: check the broker and the network` }));
    s.once("connect", () => done({ level: "OK", name, message: `${host}:${port} accepts TCP connections` }));
    s.once("error", (e) => done({ level: "FAIL", name, message: `${host}:${port} unreachable (${errCode(e) ?? errMsg(e)}): check the broker and the network` }));
  });
}

export async function doctor(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: "string", default: DEFAULT_CONFIG } }, strict: true });
  const configPath = path.resolve(values.config);
  const checks: Check[] = [];
  const print = (c: Check) => {
    checks.push(c);
    process.stdout.write(`${c.level.padEnd(4)}  ${c.name.padEnd(16)} ${c.message}\n`);
  };

  let cfg: ReadConfig;
  try {
    cfg = readConfig(configPath);
  } catch (e) {
    const lines = errMsg(e).split("\n");
    print({ level: "FAIL", name: "config", message: `${lines.join(" ")}` });
    return 1;
  }
  const radios = [cfg.file.zwave ? "zwave" : null, cfg.file.zigbee ? "zigbee" : null].filter(Boolean);
  print({ level: "OK", name: "config", message: `${configPath} is valid (radios: ${radios.length ? radios.join(", ") : "none"}${cfg.file.simulation?.locks.length ? `, ${plural(cfg.file.simulation.locks.length, "simulated lock")}` : ""}; cloud: ${cfg.file.cloud ? hostOf(cfg.file.cloud.url) : "none"})` });
  print(checkPerms("config perms", configPath, 0o600, `it holds keys: chmod 600 ${configPath}`));
  if (!cfg.credentials.exists) {
    print({ level: "WARN", name: "credentials", message: `${cfg.credentials.path} does not exist, so the hub gets no secrets from it (the unit's LoadCredential=); secrets such as LOCKBRIDGE_CLOUD_TOKEN go there: install -m 600 /dev/null ${cfg.credentials.path}` });
  } else if (!cfg.credentials.readable) {
    print({ level: "WARN", name: "credentials", message: `${cfg.credentials.path} is not readable by ${whoami()} (systemd reads it as root): run doctor as root to check the secrets in it` });
  } else {
    print(checkPerms("credentials", cfg.credentials.path, 0o600, `chmod 600 ${cfg.credentials.path}`));
  }

  // data dir, disk, database
  if (!existsSync(cfg.dataDir)) print({ level: "WARN", name: "data dir", message: `${cfg.dataDir} does not exist yet; the hub (or systemd's StateDirectory=) creates it on start` });
  else if (!statSync(cfg.dataDir).isDirectory()) print({ level: "FAIL", name: "data dir", message: `${cfg.dataDir} is not a directory: fix data_dir` });
  else print(checkPerms("data dir", cfg.dataDir, 0o700, `chmod 700 ${cfg.dataDir}`));
  print(checkDisk(cfg.dataDir));
  if (existsSync(cfg.dataDir)) for (const c of await checkDatabase(cfg.dataDir)) print(c);

  // serial ports
  if (cfg.file.zwave) print(checkSerial("zwave", cfg.file.zwave.port));
  if (cfg.file.zigbee) print(checkSerial("zigbee", cfg.file.zigbee.port));

  // the running hub
  let status: HubStatus | null = null;
  if (!cfg.apiKey) {
    print({ level: "FAIL", name: "local API", message: `no API key: local_api.api_key is not in the config and ${path.join(cfg.dataDir, "identity.json")} is missing or unreadable; start the hub once or run doctor as root` });
  } else {
    const r = await fetchStatus(cfg);
    if (r.kind === "ok") {
      status = r.status;
      print({ level: "OK", name: "local API", message: `${r.base} answers /hub/status (version ${status.version ?? "?"}, up ${status.uptime_s ?? "?"} s)` });
    } else if (r.kind === "unauthorized") {
      print({ level: "FAIL", name: "local API", message: `${r.base} refused the API key (401): the running hub uses another key than ${configPath}; restart it after editing the config (systemctl restart lockbridge)` });
    } else if (r.code === "ECONNREFUSED") {
      print({ level: "FAIL", name: "local API", message: `nothing listens on ${r.base}: is the hub running? systemctl status lockbridge; journalctl -u lockbridge -n 50` });
    } else {
      print({ level: "FAIL", name: "local API", message: `${r.base}: ${r.reason}: see journalctl -u lockbridge -n 50` });
    }
  }
  if (status) {
    const running = status.radios ?? {};
    const wanted = new Set<string>([...(cfg.file.zwave ? ["zwave"] : []), ...(cfg.file.zigbee ? ["zigbee"] : []), ...(cfg.file.simulation?.locks ?? []).map((l) => l.protocol)]);
    for (const radio of [...wanted].sort()) {
      const r = running[radio];
      if (!r) print({ level: "FAIL", name: `radio ${radio}`, message: `configured but not running in the hub: journalctl -u lockbridge | grep -i radio` });
      else if (!r.locks) print({ level: "WARN", name: `radio ${radio}`, message: `running, but no lock on it yet${r.simulated ? " (simulated)" : ""}: still interviewing (run doctor again in a minute), or no lock is paired` });
      else print({ level: "OK", name: `radio ${radio}`, message: `${plural(r.locks, "lock")}${r.simulated ? " (simulated)" : ""}` });
    }
    const locks = status.locks ?? [];
    if (!locks.length) print({ level: "WARN", name: "locks", message: "no locks known yet: include (pair) a lock with the radio's controller, or wait for the radios to finish starting" });
    for (const l of locks) {
      const where = `${l.name} (${l.protocol}, ${l.device_id})`;
      if (l.removed) print({ level: "WARN", name: "lock", message: `${where} was removed from the radio network: pair it again or delete its codes` });
      else if (!l.online) print({ level: "WARN", name: "lock", message: `${where} is offline: check its batteries and distance to the hub` });
      else print({ level: "OK", name: "lock", message: `${where} online${l.queue_depth ? `, ${l.queue_depth} queued` : ""}` });
    }
    const codes = status.access_codes ?? {};
    const failing = ["unknown"].filter((s) => codes[s]);
    if (failing.length) print({ level: "WARN", name: "access codes", message: `${failing.map((s) => `${codes[s]} ${s}`).join(", ")}: see /access_codes/list for their errors` });
  }
  print(await checkCloud(cfg, status));
  if (cfg.file.mqtt) print(await checkTcp("mqtt", cfg.file.mqtt.url));
  print(await checkClock());

  const fails = checks.filter((c) => c.level === "FAIL").length;
  const warns = checks.filter((c) => c.level === "WARN").length;
  process.stdout.write(`\n${fails ? `${plural(fails, "check")} failed` : "no failures"}${warns ? `, ${plural(warns, "warning")}` : ""}\n`);
  return fails ? 1 : 0;
}
