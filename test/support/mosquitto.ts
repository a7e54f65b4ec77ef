// A private Mosquitto broker per test file or benchmark (never the machine's broker), and a cloud-side
// MQTT client that speaks the hub protocol over it: requests by id, events recorded and acked.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { freePort, sleep, waitFor } from "./ports.js";

export interface BrokerUser {
  readonly username: string;
  readonly password: string;
}

export interface MosquittoOptions {
  /** With users: a generated password_file and allow_anonymous false; without: anonymous access. */
  readonly users?: readonly BrokerUser[];
  /** acl_file lines (docs/mqtt.md's per-hub patterns); with it, the client id must be the user name. */
  readonly acl?: readonly string[];
  /** Extra mosquitto.conf lines (e.g. max_queued_messages). */
  readonly conf?: readonly string[];
}

/** Is mosquitto installed? (.ci/run installs it with apt-get.) */
export function haveMosquitto(): boolean {
  try {
    execFileSync("mosquitto", ["-h"], { stdio: "ignore" });
    return true;
  } catch (e) {
    // `mosquitto -h` exits 3 after printing its usage; only a missing binary is ENOENT.
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

export class Mosquitto {
  readonly dir = mkdtempSync(path.join(tmpdir(), "lockbridge-mosquitto-"));
  port = 0;
  logs = "";
  proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly opts: MosquittoOptions = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private writeConf(): string {
    const conf = [
      `listener ${this.port} 127.0.0.1`,
      // Run as whoever runs the tests (as root mosquitto would switch to the "mosquitto" user).
      `user ${userInfo().username}`,
      "persistence true",
      `persistence_location ${this.dir}/`,
      "autosave_interval 1",
      "log_dest stdout",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "log_type information",
      "connection_messages true",
      "max_keepalive 65535",
      // Small request/response frames: without it Nagle and delayed ACKs add ~40 ms per hop.
      "set_tcp_nodelay true",
    ];
    if (this.opts.users?.length) {
      const file = path.join(this.dir, "passwd");
      let first = true;
      for (const u of this.opts.users) {
        execFileSync("mosquitto_passwd", first ? ["-b", "-c", file, u.username, u.password] : ["-b", file, u.username, u.password], { stdio: "ignore" });
        first = false;
      }
      conf.push(`password_file ${file}`, "allow_anonymous false");
    } else {
      conf.push("allow_anonymous true");
    }
    if (this.opts.acl) {
      const file = path.join(this.dir, "acl");
      writeFileSync(file, this.opts.acl.join("\n") + "\n");
      conf.push(`acl_file ${file}`, "use_username_as_clientid true");
    }
    conf.push(...(this.opts.conf ?? []));
    const p = path.join(this.dir, "mosquitto.conf");
    writeFileSync(p, conf.join("\n") + "\n");
    return p;
  }

  /** Starts the broker (again, on the same port and persistence directory after a stop). */
  async start(readyMs = 10_000): Promise<this> {
    if (!this.port) this.port = await freePort();
    const conf = this.writeConf();
    const proc = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    this.exited = new Promise((r) => proc.once("exit", () => r()));
    proc.stdout!.on("data", (d: Buffer) => (this.logs += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (this.logs += d.toString()));
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}):\n${this.logs.slice(-2000)}`);
        return canConnect(this.port);
      },
      `mosquitto on port ${this.port}`,
      readyMs,
      50,
    );
    return this;
  }

  /** SIGTERM: mosquitto saves its persistence file and exits. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.proc!.kill("SIGTERM");
    await Promise.race([this.exited, sleep(5000)]);
    if (this.running) this.kill9();
    await this.exited;
  }

  kill9(): void {
    if (this.running) this.proc!.kill("SIGKILL");
  }

  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await sleep(downMs);
    await this.start();
  }

  async cleanup(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export type Frame = Record<string, unknown> & { type: string };
export type SeamEvent = Record<string, unknown> & { event_id: string; event_type: string };

export interface MqttCloudOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly clientId?: string;
  readonly prefix?: string;
  /** Keep every frame (tests); off for benchmarks. */
  readonly record?: boolean;
  /** Only the hubs' status topics (an observer's ACL). */
  readonly statusOnly?: boolean;
  /** Subscribe through a shared subscription group ($share/<group>/...). */
  readonly shareGroup?: string;
}

/**
 * The cloud side of the MQTT door: one persistent session subscribed to every hub's up and status topics;
 * requests resolve by id, events are recorded per hub and acked (batched per hub) unless autoAck is off.
 */
export class MqttCloud {
  client!: MqttClient;
  readonly frames: Array<{ hubId: string; frame: Frame }> = [];
  readonly events = new Map<string, SeamEvent[]>();
  readonly deliveries = new Map<string, number>();
  readonly status = new Map<string, string>();
  autoAck = true;
  eventCount = 0;
  frameCount = 0;
  onEvent: ((hubId: string, e: SeamEvent) => void) | null = null;
  private readonly pending = new Map<string, Array<(f: Frame) => void>>();
  private readonly ackQueue = new Map<string, string[]>();
  private ackScheduled = false;
  readonly prefix: string;

  constructor(readonly opts: MqttCloudOptions) {
    this.prefix = opts.prefix ?? "lockbridge";
  }

  async connect(): Promise<this> {
    const options: IClientOptions = {
      clientId: this.opts.clientId ?? `cloud-${randomUUID()}`,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
      reconnectPeriod: 250,
      connectTimeout: 5000,
      ...(this.opts.username ? { username: this.opts.username, password: this.opts.password ?? "" } : {}),
    };
    this.client = mqtt.connect(this.opts.url, options);
    this.client.on("connect", () => (this.client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
    this.client.on("message", (topic, payload) => this.onMessage(topic, payload));
    this.client.on("error", () => undefined);
    await waitFor(() => this.client.connected, "cloud MQTT client connected", 10_000, 20);
    const share = this.opts.shareGroup ? `$share/${this.opts.shareGroup}/` : "";
    const status = { [`${this.prefix}/+/status`]: { qos: 1 as const } };
    await this.client.subscribeAsync(this.opts.statusOnly ? status : { [`${share}${this.prefix}/+/up`]: { qos: 1 }, ...status });
    return this;
  }

  topic(hubId: string, leaf: "down" | "up" | "status"): string {
    return `${this.prefix}/${hubId}/${leaf}`;
  }

  hubEvents(hubId: string): SeamEvent[] {
    let list = this.events.get(hubId);
    if (!list) this.events.set(hubId, (list = []));
    return list;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parts = topic.split("/");
    const hubId = parts[parts.length - 2] ?? "";
    const leaf = parts[parts.length - 1];
    if (leaf === "status") {
      this.status.set(hubId, payload.toString());
      return;
    }
    if (leaf !== "up") return;
    let f: Frame;
    try {
      f = JSON.parse(payload.toString()) as Frame;
    } catch {
      f = { type: "<unparseable>", text: payload.toString() };
    }
    this.frameCount++;
    if (this.opts.record !== false) this.frames.push({ hubId, frame: f });
    if (f.type === "response" && typeof f.id === "string") {
      const waiters = this.pending.get(f.id);
      waiters?.shift()?.(f);
      if (!waiters?.length) this.pending.delete(f.id);
    }
    if (f.type === "event") {
      const e = f.event as SeamEvent;
      this.eventCount++;
      const n = this.deliveries.get(e.event_id) ?? 0;
      this.deliveries.set(e.event_id, n + 1);
      if (n === 0) {
        if (this.opts.record !== false) this.hubEvents(hubId).push(e);
        this.onEvent?.(hubId, e);
      }
      if (this.autoAck) this.queueAck(hubId, e.event_id);
    }
  }

  private queueAck(hubId: string, eventId: string): void {
    const q = this.ackQueue.get(hubId) ?? [];
    q.push(eventId);
    this.ackQueue.set(hubId, q);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      for (const [hub, ids] of this.ackQueue) this.client.publish(this.topic(hub, "down"), JSON.stringify({ type: "ack", event_ids: ids }), { qos: 1 });
      this.ackQueue.clear();
    });
  }

  publishRaw(hubId: string, text: string): void {
    this.client.publish(this.topic(hubId, "down"), text, { qos: 1 });
  }

  /** Sends a request and waits for its response (the hub need not be connected yet: the broker queues it). */
  request(hubId: string, path: string, body: unknown = {}, id: string = randomUUID(), ms = 15_000): Promise<{ status: number; body: Record<string, any> }> {
    const response = this.response(id, ms, path);
    this.publishRaw(hubId, JSON.stringify({ type: "request", id, path, body }));
    return response;
  }

  /** Waits for the next response with this id. */
  response(id: string, ms = 15_000, what = id): Promise<{ status: number; body: Record<string, any> }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no MQTT response to ${what} within ${ms} ms`));
      }, ms);
      const waiters = this.pending.get(id) ?? [];
      waiters.push((f) => {
        clearTimeout(t);
        resolve({ status: f.status as number, body: f.body as Record<string, any> });
      });
      this.pending.set(id, waiters);
    });
  }

  waitEvent(hubId: string, type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 15_000): Promise<SeamEvent> {
    return waitFor(() => this.hubEvents(hubId).find((e) => e.event_type === type && pred(e)), `MQTT event ${type}`, ms);
  }

  waitFrame(pred: (f: Frame, hubId: string) => boolean, what: string, ms = 15_000, from = 0): Promise<Frame> {
    return waitFor(() => this.frames.slice(from).find((x) => pred(x.frame, x.hubId))?.frame, what, ms);
  }

  async close(): Promise<void> {
    if (this.client) await this.client.endAsync(true).catch(() => undefined);
  }
}
