// A cloud backend on loopback for end-to-end tests: records frames, answers requests by id, acks events.
import { randomUUID } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { waitFor } from "./ports.js";

export type Frame = Record<string, unknown> & { type: string };
export type SeamEvent = Record<string, unknown> & { event_id: string; event_type: string };

export class TestCloud {
  readonly frames: Frame[] = [];
  readonly events: SeamEvent[] = [];
  readonly deliveries = new Map<string, number>();
  autoAck = true;
  connections = 0;
  rejected = 0;
  private wss: WebSocketServer | null = null;
  private sock: WebSocket | null = null;
  private readonly pending = new Map<string, Array<(f: Frame) => void>>();
  port = 0;

  constructor(readonly token: string = `tok_${randomUUID()}`) {}

  async listen(port = 0): Promise<this> {
    this.wss = new WebSocketServer({
      host: "127.0.0.1",
      port,
      maxPayload: 64 * 1024 * 1024,
      verifyClient: (info, cb) => {
        const ok = info.req.headers.authorization === `Bearer ${this.token}`;
        if (!ok) this.rejected++;
        cb(ok, 401, "unauthorized");
      },
    });
    await new Promise((r) => this.wss!.once("listening", r));
    const addr = this.wss.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    this.wss.on("connection", (sock) => {
      this.connections++;
      this.sock = sock;
      sock.on("message", (data) => this.onFrame(sock, data.toString()));
      sock.on("close", () => {
        if (this.sock === sock) this.sock = null;
      });
    });
    return this;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/hub`;
  }
  get connected(): boolean {
    return this.sock !== null;
  }

  private onFrame(sock: WebSocket, text: string): void {
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
    } catch {
      f = { type: "<unparseable>", text };
    }
    this.frames.push(f);
    if (f.type === "response" && typeof f.id === "string") {
      // One response per request sent: resolve the oldest waiter for this id.
      const waiters = this.pending.get(f.id);
      waiters?.shift()?.(f);
      if (!waiters?.length) this.pending.delete(f.id);
    }
    if (f.type === "event") {
      const e = f.event as SeamEvent;
      this.events.push(e);
      this.deliveries.set(e.event_id, (this.deliveries.get(e.event_id) ?? 0) + 1);
      if (this.autoAck && sock.readyState === 1) sock.send(JSON.stringify({ type: "ack", event_ids: [e.event_id] }));
    }
  }

  sendRaw(text: string): void {
    if (!this.sock) throw new Error("hub is not connected");
    this.sock.send(text);
  }

  request(path: string, body: unknown = {}, id: string = randomUUID(), ms = 15_000): Promise<{ status: number; body: Record<string, unknown> & { error?: { type: string; message: string } } }> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no response to ${path} within ${ms} ms`));
      }, ms);
      const waiters = this.pending.get(id) ?? [];
      waiters.push((f) => {
        clearTimeout(t);
        resolve({ status: f.status as number, body: f.body as Record<string, unknown> });
      });
      this.pending.set(id, waiters);
      this.sendRaw(JSON.stringify({ type: "request", id, path, body }));
    });
  }

  waitEvent(type: string, pred: (e: SeamEvent) => boolean = () => true, ms = 15_000): Promise<SeamEvent> {
    return waitFor(() => this.events.find((e) => e.event_type === type && pred(e)), `event ${type}`, ms);
  }

  waitFrame(pred: (f: Frame) => boolean, what: string, ms = 15_000, from = 0): Promise<Frame> {
    return waitFor(() => this.frames.slice(from).find(pred), what, ms);
  }

  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    this.wss = null;
    this.sock = null;
  }
}
