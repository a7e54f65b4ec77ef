// What the installer's commands share: the config as they read it, the running hub's status, serial adapters.
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, parseConfigText } from "../config/load.js";
import type { FileConfig } from "../config/schema.js";

export const DEFAULT_CONFIG = "/etc/lockbridge/config.json";
export const DEFAULT_DATA_DIR = "/var/lib/lockbridge";
export const SERVICE_USER = "lockbridge";

export function version(): string {
  const here = path.dirname(new URL(import.meta.url).pathname);
  for (const p of [1, 2, 3].map((up) => path.join(here, ...Array<string>(up).fill(".."), "package.json"))) {
    try {
      return (JSON.parse(readFileSync(p, "utf8")) as { version: string }).version;
    } catch {
      /* next */
    }
  }
  return "0.0.0";
}

export const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
export const errCode = (e: unknown) => ((e as NodeJS.ErrnoException | undefined)?.code ?? (e as { cause?: NodeJS.ErrnoException } | undefined)?.cause?.code) as string | undefined;

export function whoami(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}
export const isRoot = () => process.getuid?.() === 0;

/** Serial adapters by stable name. LOCKBRIDGE_SERIAL_BY_ID_DIR overrides the directory (tests). */
export function serialAdapters(): Array<{ path: string; target: string }> {
  const dir = process.env.LOCKBRIDGE_SERIAL_BY_ID_DIR ?? "/dev/serial/by-id";
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const p = path.join(dir, n);
    let target = p;
    try {
      target = realpathSync(p);
    } catch {
      /* dangling link */
    }
    return { path: p, target };
  });
}

/** A guess from the USB name; the installer confirms it. */
export function guessRadio(name: string): "zwave" | "zigbee" | null {
  const n = path.basename(name);
  if (/z-?wave|zst\d|zooz|aeotec|aeon|razberry|uzb|zwa-?\d|zmeeu/i.test(n)) return "zwave";
  if (/zigbee|conbee|raspbee|cc26\d\d|cc13\d\d|sonoff|slzb|skyconnect|sky_connect|zbt-?1|zbdongle|ember|efr32|zigate|tubeszb|smlight|dresden/i.test(n)) return "zigbee";
  return null;
}

export function guessZigbeeAdapter(name: string): "zstack" | "ember" | "deconz" | "zigate" {
  const n = path.basename(name);
  if (/conbee|raspbee|dresden|deconz/i.test(n)) return "deconz";
  if (/zigate/i.test(n)) return "zigate";
  if (/_v2|efr32|skyconnect|sky_connect|zbt-?1|ember|silabs|mg2\d|slzb-07/i.test(n)) return "ember";
  return "zstack";
}

/** The config as doctor and status read it: no side effects (loadConfig would create the data dir). */
export interface ReadConfig {
  readonly file: FileConfig;
  readonly dataDir: string;
  readonly apiKey: string | undefined;
  readonly credentials: { readonly path: string; readonly exists: boolean; readonly readable: boolean };
}

export function readConfig(configPath: string): ReadConfig {
  let text: string;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read ${configPath}: ${errCode(e) ?? errMsg(e)}`);
  }
  // The systemd layout keeps secrets beside the config (LoadCredential=); use them as the service does.
  const credPath = process.env.LOCKBRIDGE_CREDENTIALS_FILE ?? (process.env.CREDENTIALS_DIRECTORY ? path.join(process.env.CREDENTIALS_DIRECTORY, "lockbridge") : path.join(path.dirname(configPath), "credentials"));
  const exists = existsSync(credPath);
  let readable = false;
  if (exists) {
    try {
      accessSync(credPath, constants.R_OK);
      readable = true;
    } catch {
      /* not for this user */
    }
  }
  const env = readable ? { ...process.env, LOCKBRIDGE_CREDENTIALS_FILE: credPath } : process.env;
  const file = parseConfigText(text, configPath, env);
  // Relative to the working directory, as the hub resolves it (the unit sets WorkingDirectory=).
  const dataDir = path.resolve(file.data_dir);
  let apiKey = file.local_api.api_key;
  if (!apiKey) {
    try {
      apiKey = (JSON.parse(readFileSync(path.join(dataDir, "identity.json"), "utf8")) as { api_key?: string }).api_key;
    } catch {
      /* not generated yet, or not readable */
    }
  }
  return { file, dataDir, apiKey, credentials: { path: credPath, exists, readable } };
}

export function apiBase(listen: string): string {
  const i = listen.lastIndexOf(":");
  let host = listen.slice(0, i).replace(/^\[|\]$/g, "");
  const port = listen.slice(i + 1);
  if (host === "0.0.0.0" || host === "") host = "127.0.0.1";
  if (host === "::") host = "::1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export type HubStatus = {
  hub_id?: string;
  version?: string;
  uptime_s?: number;
  cloud?: { state?: string; connects?: number };
  radios?: Record<string, { locks?: number; simulated?: boolean }>;
  pairings?: Array<{ pairing_id: string; protocol: string; kind: string; status: string; expires_at: string }>;
  locks?: Array<{ device_id: string; name: string; protocol: string; online: boolean; removed: boolean; queue_depth?: number }>;
  access_codes?: Record<string, number>;
  pending_events?: number;
  counters?: Record<string, unknown>;
};

export type StatusResult = { kind: "ok"; status: HubStatus; base: string } | { kind: "unauthorized"; base: string } | { kind: "error"; base: string; reason: string; code?: string; httpStatus?: number };

export async function fetchStatus(cfg: ReadConfig, timeoutMs = 3000): Promise<StatusResult> {
  const base = apiBase(cfg.file.local_api.listen);
  try {
    const r = await fetch(`${base}/hub/status`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cfg.apiKey ? { authorization: `Bearer ${cfg.apiKey}` } : {}) },
      body: "{}",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    if (r.status === 401) return { kind: "unauthorized", base };
    if (r.status !== 200) return { kind: "error", base, reason: `HTTP ${r.status}`, httpStatus: r.status };
    const body = JSON.parse(text) as { hub?: HubStatus };
    return { kind: "ok", base, status: body.hub ?? {} };
  } catch (e) {
    const code = errCode(e) ?? (e instanceof Error && e.name === "TimeoutError" ? "timeout" : undefined);
    return { kind: "error", base, reason: code ?? errMsg(e), ...(code ? { code } : {}) };
  }
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
