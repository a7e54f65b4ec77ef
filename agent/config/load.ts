import { randomBytes, randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ZodIssue } from "zod";
import { writeFileAtomic } from "../util/fs.js";
import { configSchema, type FileConfig, type HubConfig } from "./schema.js";

/** A configuration problem, worded for the installer who has to fix the file. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function describeIssue(issue: ZodIssue): string {
  const key = issue.path.length ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") return `${key}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  return `${key}: ${issue.message}`;
}

/**
 * Secrets may live outside the config file: in the environment, or in a credentials file
 * (systemd LoadCredential= puts it under $CREDENTIALS_DIRECTORY). Environment wins.
 */
const SECRET_ENV: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["LOCKBRIDGE_API_KEY", ["local_api", "api_key"]],
  ["LOCKBRIDGE_CLOUD_TOKEN", ["cloud", "token"]],
  ["LOCKBRIDGE_MQTT_PASSWORD", ["mqtt", "password"]],
  ["LOCKBRIDGE_ZIGBEE_NETWORK_KEY", ["zigbee", "network_key"]],
  ["LOCKBRIDGE_ZWAVE_S0_LEGACY", ["zwave", "security_keys", "S0_Legacy"]],
  ["LOCKBRIDGE_ZWAVE_S2_UNAUTHENTICATED", ["zwave", "security_keys", "S2_Unauthenticated"]],
  ["LOCKBRIDGE_ZWAVE_S2_AUTHENTICATED", ["zwave", "security_keys", "S2_Authenticated"]],
  ["LOCKBRIDGE_ZWAVE_S2_ACCESSCONTROL", ["zwave", "security_keys", "S2_AccessControl"]],
];

function readCredentialsFile(env: NodeJS.ProcessEnv): Record<string, string> {
  const file = env.LOCKBRIDGE_CREDENTIALS_FILE ?? (env.CREDENTIALS_DIRECTORY ? path.join(env.CREDENTIALS_DIRECTORY, "lockbridge") : undefined);
  if (!file || !existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

function setPath(obj: Record<string, unknown>, keys: readonly string[], value: string): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (next === undefined) {
      // Only fill a secret into a section the file enables; a lone secret must not switch a radio on.
      return;
    }
    if (typeof next !== "object" || next === null) return;
    cur = next as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): FileConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(`${source}: must be a JSON object`);
  const obj = raw as Record<string, unknown>;
  if (obj.local_api === undefined) obj.local_api = {};
  const creds = readCredentialsFile(env);
  for (const [name, keys] of SECRET_ENV) {
    const value = env[name] ?? creds[name];
    if (value) setPath(obj, keys, value);
  }
  const parsed = configSchema.safeParse(obj);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${describeIssue(i)}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

interface Identity {
  hub_id: string;
  workspace_id: string;
  connected_account_id: string;
  api_key: string;
}

/** Ids and the local API key missing from the file are generated once and kept in the data dir (0600). */
function loadIdentity(dataDir: string): Partial<Identity> {
  const file = path.join(dataDir, "identity.json");
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Partial<Identity>;
  } catch (e) {
    throw new ConfigError(`${file}: unreadable (${(e as Error).message}); remove it to generate new ids`);
  }
}

export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

export function loadConfig(configPath: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  let text: string;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${configPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const file = parseConfigText(text, configPath, env);
  const dataDir = path.resolve(file.data_dir);
  ensureDataDir(dataDir);
  const stored = loadIdentity(dataDir);
  const identity: Identity = {
    hub_id: file.hub_id ?? stored.hub_id ?? randomUUID(),
    workspace_id: file.workspace_id ?? stored.workspace_id ?? randomUUID(),
    connected_account_id: file.connected_account_id ?? stored.connected_account_id ?? randomUUID(),
    api_key: file.local_api.api_key ?? stored.api_key ?? `seam_lk_${randomBytes(24).toString("base64url")}`,
  };
  const changed = (Object.keys(identity) as Array<keyof Identity>).some((k) => stored[k] !== identity[k]);
  if (changed) writeFileAtomic(path.join(dataDir, "identity.json"), JSON.stringify(identity, null, 2), 0o600);
  return {
    ...file,
    data_dir: dataDir,
    hub_id: identity.hub_id,
    workspace_id: identity.workspace_id,
    connected_account_id: identity.connected_account_id,
    local_api: { listen: file.local_api.listen, api_key: identity.api_key },
    configPath: path.resolve(configPath),
  };
}
