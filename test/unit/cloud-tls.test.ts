// wss:// with a custom CA file and optional certificate pinning, against a real TLS WebSocket server.
import { execFileSync } from "node:child_process";
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { configSchema, type HubConfig } from "../../agent/config/schema.js";
import { Hub } from "../../agent/hub.js";
import { createLogger } from "../../agent/log.js";
import { FakeDriver } from "../support/fake-driver.js";
import { sleep, waitFor } from "../support/ports.js";

let dir: string;
let server: Server;
let port: number;
let fingerprint: string;
const hellos: unknown[] = [];
const token = `tok_${randomUUID()}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "lb-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
  const cert = readFileSync(path.join(dir, "cert.pem"));
  fingerprint = createHash("sha256").update(new X509Certificate(cert).raw).digest("hex");
  server = createServer({ key: readFileSync(path.join(dir, "key.pem")), cert });
  const wss = new WebSocketServer({ server, verifyClient: (info, cb) => cb(info.req.headers.authorization === `Bearer ${token}`, 401) });
  wss.on("connection", (sock) => sock.on("message", (d) => hellos.push(JSON.parse(d.toString()))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

async function hubWith(cloud: Record<string, unknown>): Promise<{ hub: Hub; logs: () => string }> {
  const dataDir = mkdtempSync(path.join(dir, "data-"));
  const parsed = configSchema.parse({ data_dir: dataDir, local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, cloud: { url: `wss://127.0.0.1:${port}/hub`, token, ...cloud } });
  const config: HubConfig = { ...parsed, hub_id: randomUUID(), workspace_id: randomUUID(), connected_account_id: randomUUID(), local_api: { listen: "127.0.0.1:0", api_key: "k".repeat(32) }, configPath: "" };
  let text = "";
  const sink = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  const hub = new Hub(config, { logger: createLogger({ level: "debug", destination: sink }), drivers: async () => [new FakeDriver([{ name: "A", slots: 2 }])] });
  await hub.start();
  return { hub, logs: () => text };
}

describe("cloud link over TLS", () => {
  it("connects with the CA file and says hello", async () => {
    const n = hellos.length;
    const { hub, logs } = await hubWith({ ca_file: path.join(dir, "cert.pem") });
    await waitFor(() => hellos.length > n, "hello over wss");
    expect(hub.cloud?.state).toBe("connected");
    expect(logs()).not.toContain(token);
    await hub.stop();
  });

  it("refuses a server its CA file does not vouch for", async () => {
    const n = hellos.length;
    const { hub } = await hubWith({});
    await sleep(1500);
    expect(hellos.length).toBe(n);
    expect(hub.cloud?.state).not.toBe("connected");
    await hub.stop();
  });

  it("connects when the pinned fingerprint matches, and refuses when it does not", async () => {
    const n = hellos.length;
    const ok = await hubWith({ ca_file: path.join(dir, "cert.pem"), pinned_cert_sha256: [fingerprint.match(/../g)!.join(":")] });
    await waitFor(() => hellos.length > n, "hello with a matching pin");
    await ok.hub.stop();
    const m = hellos.length;
    const bad = await hubWith({ ca_file: path.join(dir, "cert.pem"), pinned_cert_sha256: ["00".repeat(32)] });
    await sleep(1500);
    expect(hellos.length).toBe(m);
    expect(bad.hub.cloud?.state).not.toBe("connected");
    await bad.hub.stop();
  });
});
