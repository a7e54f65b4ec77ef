// The running hub's local API, as the installer's commands call it (POST, JSON, the key from the config).
import path from "node:path";
import { apiBase, errCode, errMsg, readConfig, type ReadConfig } from "./shared.js";

export interface HubAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class HubUnreachable extends Error {}

export class HubClient {
  readonly base: string;

  constructor(private readonly cfg: ReadConfig) {
    this.base = apiBase(cfg.file.local_api.listen);
  }

  async post(path: string, body: Record<string, unknown>, timeoutMs = 30_000): Promise<HubAnswer> {
    let r: Response;
    try {
      r = await fetch(`${this.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(this.cfg.apiKey ? { authorization: `Bearer ${this.cfg.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const code = errCode(e);
      throw new HubUnreachable(`${this.base}: ${code ?? errMsg(e)}${code === "ECONNREFUSED" ? " (is the hub running? systemctl status lockbridge)" : ""}`);
    }
    let parsed: unknown = {};
    try {
      parsed = JSON.parse(await r.text());
    } catch {
      parsed = {};
    }
    return { status: r.status, body: typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {} };
  }
}

/** The error of a refused request, as one line. */
export function refusal(answer: HubAnswer): string {
  const error = answer.body.error as { type?: string; message?: string } | undefined;
  return error ? `${error.type ?? "error"}: ${error.message ?? ""}` : `HTTP ${answer.status}`;
}

/** The hub of this config, or the exit code after explaining why not. */
export function openHub(configPath: string, cmd: string): HubClient | number {
  let cfg: ReadConfig;
  try {
    cfg = readConfig(path.resolve(configPath));
  } catch (e) {
    process.stderr.write(`lockbridge ${cmd}: ${errMsg(e)}\n`);
    return 2;
  }
  if (!cfg.apiKey) {
    process.stderr.write(`lockbridge ${cmd}: no API key in ${configPath} or ${path.join(cfg.dataDir, "identity.json")} (run as root?)\n`);
    return 2;
  }
  return new HubClient(cfg);
}

/** A device's display name, for progress lines. */
export async function deviceName(hub: HubClient, deviceId: string): Promise<string | null> {
  const r = await hub.post("/devices/get", { device_id: deviceId }).catch(() => null);
  const device = r?.status === 200 ? (r.body.device as { display_name?: string } | undefined) : undefined;
  return device?.display_name ?? null;
}
