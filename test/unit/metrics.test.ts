import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { Metrics, METRICS_CONTENT_TYPE, metricsEndpoint, renderExposition, type MetricsSnapshot } from "../../agent/metrics.js";

const snapshot: MetricsSnapshot = {
  version: "1.2.3",
  uptimeSeconds: 42,
  outboxDepth: 3,
  cloud: { configured: true, connected: false, connects: 2 },
  codesByStatus: { set: 4, setting: 1 },
  locks: [
    { deviceId: "d1", name: 'Front "main" door\\1', protocol: "zwave", online: true, queueDepth: 2, radioCommands: 17, lastVerify: { reason: "startup", roundTrips: 31, fullRead: true, at: 1_700_000_000_500 } },
    { deviceId: "d2", name: "Back\ndoor", protocol: "zigbee", online: false, queueDepth: 0, radioCommands: 0, lastVerify: null },
  ],
};

/** A line-level parser for the text format (0.0.4), strict enough to catch malformed output. */
function parse(text: string): { types: Map<string, string>; helps: Map<string, string>; samples: Array<{ name: string; labels: Record<string, string>; value: number }> } {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      helps.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      expect(types.has(m[1]!), `TYPE twice for ${m[1]}`).toBe(false);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(m, `malformed line: ${JSON.stringify(line)}`).not.toBeNull();
    const labels: Record<string, string> = {};
    if (m![2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < m![2].length) {
        re.lastIndex = pos;
        const l = re.exec(m![2]);
        expect(l, `malformed labels: ${m![2]}`).not.toBeNull();
        labels[l![1]!] = l![2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
        pos = re.lastIndex;
      }
    }
    expect(types.has(m![1]!), `sample before TYPE: ${m![1]}`).toBe(true);
    samples.push({ name: m![1]!, labels, value: Number(m![3]) });
  }
  return { types, helps, samples };
}

describe("metrics text format", () => {
  it("renders HELP and TYPE once per family, escapes label values, sorts labels", () => {
    const text = renderExposition([
      { name: "x_total", help: "a\\b\nc", type: "counter", samples: [{ labels: { z: "1", a: 'q"\\\n' }, value: 5 }] },
      { name: "y", help: "gauge", type: "gauge", samples: [{ value: NaN }, { labels: { k: "v" }, value: Infinity }] },
    ]);
    expect(text).toBe(['# HELP x_total a\\\\b\\nc', "# TYPE x_total counter", 'x_total{a="q\\"\\\\\\n",z="1"} 5', "# HELP y gauge", "# TYPE y gauge", "y NaN", 'y{k="v"} +Inf', ""].join("\n"));
    expect(parse(text).samples[0]!.labels.a).toBe('q"\\\n');
  });

  it("rejects invalid names and duplicate families", () => {
    expect(() => renderExposition([{ name: "bad-name", help: "", type: "gauge", samples: [] }])).toThrow(/invalid metric name/);
    expect(() => renderExposition([{ name: "g", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }])).toThrow(/invalid label name/);
    const f = { name: "g", help: "", type: "gauge" as const, samples: [] };
    expect(() => renderExposition([f, f])).toThrow(/twice/);
  });

  it("counts radio commands and failures by kind, requests by door, and reads gauges from the snapshot", () => {
    const m = new Metrics();
    m.radioCommand("write_slot", true);
    m.radioCommand("write_slot", false);
    m.radioCommand("read_slot", true);
    m.request("http", 200);
    m.request("http", 200);
    m.request("cloud", 404);
    m.lockOperation(false, "success");
    m.lockOperation(false, "success");
    m.lockOperation(false, "error");
    m.lockOperation(true, "success");
    const { types, samples } = parse(m.render(snapshot));
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

    for (const [name, type] of types) if (type === "counter") expect(name.endsWith("_total"), name).toBe(true);
    expect(value("lockbridge_build_info", { version: "1.2.3" })).toBe(1);
    expect(value("lockbridge_radio_commands_total", { kind: "write_slot" })).toBe(2);
    expect(value("lockbridge_radio_command_failures_total", { kind: "write_slot" })).toBe(1);
    expect(value("lockbridge_radio_command_failures_total", { kind: "read_slot" })).toBe(0);
    expect(value("lockbridge_requests_total", { door: "http", status: "200" })).toBe(2);
    expect(value("lockbridge_requests_total", { door: "cloud", status: "404" })).toBe(1);
    expect(value("lockbridge_lock_operations_total", { action: "unlock", result: "success" })).toBe(2);
    expect(value("lockbridge_lock_operations_total", { action: "unlock", result: "error" })).toBe(1);
    expect(value("lockbridge_lock_operations_total", { action: "lock", result: "success" })).toBe(1);
    expect(value("lockbridge_lock_operations_total", { action: "lock", result: "error" })).toBeUndefined();
    expect(value("lockbridge_outbox_depth")).toBe(3);
    expect(value("lockbridge_lock_queue_depth", { device_id: "d1", name: 'Front "main" door\\1' })).toBe(2);
    expect(value("lockbridge_lock_online", { device_id: "d2", name: "Back\ndoor" })).toBe(0);
    expect(value("lockbridge_lock_radio_commands_total", { device_id: "d1" })).toBe(17);
    expect(value("lockbridge_reconcile_round_trips", { device_id: "d1", reason: "startup", full_read: "true" })).toBe(31);
    expect(samples.filter((s) => s.name === "lockbridge_reconcile_round_trips")).toHaveLength(1);
    expect(value("lockbridge_reconcile_last_timestamp_seconds", { device_id: "d1" })).toBe(1_700_000_001);
    expect(value("lockbridge_access_codes", { status: "set" })).toBe(4);
    expect(value("lockbridge_cloud_connected")).toBe(0);
    expect(value("lockbridge_cloud_connects_total")).toBe(2);

    expect(m.counters()).toEqual({
      radio_commands_by_kind: { read_slot: 1, write_slot: 2 },
      radio_failures_by_kind: { read_slot: 0, write_slot: 1 },
      requests_by_door: { cloud: 1, http: 2 },
      lock_operations: { lock_success: 1, unlock_error: 1, unlock_success: 2 },
    });
  });

  it("leaves cloud series out when no cloud is configured", () => {
    const text = new Metrics().render({ ...snapshot, cloud: { configured: false, connected: false, connects: 0 } });
    expect(text).not.toMatch(/^lockbridge_cloud_connected /m);
    expect(text).toMatch(/^# TYPE lockbridge_cloud_connected gauge$/m);
  });
});

describe("/metrics endpoint hook", () => {
  function call(hook: ReturnType<typeof metricsEndpoint>, method: string, url: string, authorized: boolean) {
    const req = Object.assign(new EventEmitter(), { method, url, resume() {} }) as unknown as IncomingMessage;
    const out: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
    const res = {
      writeHead(status: number, headers: Record<string, unknown>) {
        out.status = status;
        out.headers = headers;
      },
      end(body?: string) {
        out.body = body;
      },
    } as unknown as ServerResponse;
    return { handled: hook(req, res, authorized), ...out };
  }

  it("is not handled when disabled, so the router answers 404", () => {
    expect(call(metricsEndpoint(false, () => "x 1\n"), "GET", "/metrics", true).handled).toBe(false);
  });

  it("needs the API key, answers GET /metrics only", () => {
    const hook = metricsEndpoint(true, () => "x 1\n");
    const denied = call(hook, "GET", "/metrics", false);
    expect(denied).toMatchObject({ handled: true, status: 401 });
    expect(JSON.parse(denied.body!)).toMatchObject({ error: { type: "unauthorized" } });
    const ok = call(hook, "GET", "/metrics?x=1", true);
    expect(ok).toMatchObject({ handled: true, status: 200, body: "x 1\n" });
    expect(ok.headers!["content-type"]).toBe(METRICS_CONTENT_TYPE);
    expect(call(hook, "GET", "/devices/list", true).handled).toBe(false);
    expect(call(hook, "POST", "/metrics", true).handled).toBe(false);
  });
});
