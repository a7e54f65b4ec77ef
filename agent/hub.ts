import { readFileSync } from "node:fs";
import path from "node:path";
import type { LockDriver, Protocol, SimulatedLockConfig } from "../drivers/contract.js";
import { Shaper, type ApiContext } from "./api/context.js";
import { accessCodeRoutes } from "./api/routes/access-codes.js";
import { actionAttemptRoutes, recordActionAttempt } from "./api/routes/action-attempts.js";
import { deviceRoutes } from "./api/routes/devices.js";
import { eventRoutes } from "./api/routes/events.js";
import { hubRoutes } from "./api/routes/hub.js";
import { lockRoutes } from "./api/routes/locks.js";
import { multiRoutes } from "./api/routes/multi.js";
import { pairingRoutes } from "./api/routes/pairing.js";
import { slotRoutes } from "./api/routes/slots.js";
import { unmanagedRoutes } from "./api/routes/unmanaged.js";
import { Router } from "./api/router.js";
import type { HubConfig } from "./config/schema.js";
import { CloudWsDoor } from "./doors/cloud-ws.js";
import { HttpDoor } from "./doors/http.js";
import { UiDoor } from "./doors/ui.js";
import type { MqttDoor } from "./doors/mqtt.js";
import { ChangeBus } from "./events/changes.js";
import { Journal } from "./events/journal.js";
import type { Logger } from "./log.js";
import { Metrics, metricsEndpoint } from "./metrics.js";
import { Provisioning } from "./pairing/provisioning.js";
import { PairingService } from "./pairing/service.js";
import { LockRegistry } from "./reconcile/registry.js";
import { openDatabase, type Db } from "./store/db.js";
import { WalSync } from "./store/wal-sync.js";
import { Store } from "./store/store.js";
import { systemClock, type Clock } from "./util/clock.js";

/** How long answered history (acknowledged events, finished action attempts) stays in /events/list and /action_attempts/list. */
export const HISTORY_KEEP_MS = 30 * 24 * 3600_000;

export const AGENT_VERSION: string = (() => {
  try {
    const here = path.dirname(new URL(import.meta.url).pathname);
    for (const p of [path.join(here, "..", "package.json"), path.join(here, "..", "..", "package.json")]) {
      try {
        return (JSON.parse(readFileSync(p, "utf8")) as { version: string }).version;
      } catch {
        /* try the next candidate */
      }
    }
  } catch {
    /* fall through */
  }
  return "0.0.0";
})();

export interface HubOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Builds the radio drivers (main.ts passes the config-driven factory; tests pass fakes). */
  readonly drivers: () => Promise<LockDriver[]>;
}

/** Wires the rooms together in start-up order and takes them down in reverse. */
export class Hub {
  readonly db: Db;
  readonly store: Store;
  readonly bus = new ChangeBus();
  readonly metrics = new Metrics();
  readonly journal: Journal;
  readonly router: Router;
  readonly registry: LockRegistry;
  readonly pairing: PairingService;
  readonly http: HttpDoor;
  readonly shaper: Shaper;
  readonly ui: UiDoor;
  cloud: CloudWsDoor | null = null;
  mqtt: MqttDoor | null = null;
  drivers: LockDriver[] = [];
  private readonly startedAt: number;
  private readonly clock: Clock;
  private pruneTimer: NodeJS.Timeout | null = null;
  private readonly walSync: WalSync;
  private readonly radioStates = new Map<Protocol, { state: "starting" | "ready" | "failed"; error?: string }>();

  constructor(
    readonly config: HubConfig,
    private readonly opts: HubOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.db = openDatabase(config.data_dir);
    this.store = new Store(this.db);
    this.walSync = new WalSync(`${this.db.name}-wal`);
    this.journal = new Journal(this.store, this.bus, this.clock, { workspaceId: config.workspace_id, connectedAccountId: config.connected_account_id }, this.walSync);
    const t = config.timing;
    const policy = { programAheadMs: t.program_ahead_ms, nativeAheadMs: t.native_schedule_ahead_ms, delayWarningMs: t.delay_warning_after_ms, failureMs: t.failure_after_ms };
    this.registry = new LockRegistry(
      this.journal,
      this.clock,
      opts.logger.child({ room: "reconcile" }),
      { policy, quickRetries: 2, quickRetryDelayMs: 250, maxBackoffMs: 60_000, maxSleepMs: 5_000, pollBatteryLocks: config.poll_battery_locks, backupPoolSize: config.backup_pool_size, onRadioCommand: (kind, ok) => this.metrics.radioCommand(kind, ok), onLockOperation: (locked, status) => this.metrics.lockOperation(locked, status) },
      t.reconcile_interval_ms,
    );
    this.pairing = new PairingService(this.journal, this.registry, this.clock, opts.logger.child({ room: "pairing" }), () => this.drivers);
    const ctx: ApiContext = {
      config,
      clock: this.clock,
      policy,
      simulatorFor: (lock) => this.drivers.find((d) => d.protocol === lock.protocol && d.simulator)?.simulator,
      lockAttached: (deviceId) => Boolean(this.registry.executor(deviceId)?.lockHandle),
      status: () => this.status(),
      recordActionAttempt: (a) => this.journal.run((tx) => recordActionAttempt(tx, { ...a, status: "success" })),
    };
    this.shaper = new Shaper(ctx, this.store);
    this.router = new Router(this.journal, opts.logger.child({ room: "api" }));
    this.router.add(...accessCodeRoutes(ctx, this.shaper), ...deviceRoutes(ctx, this.shaper), ...unmanagedRoutes(ctx, this.shaper), ...multiRoutes(ctx, this.shaper), ...eventRoutes(ctx), ...actionAttemptRoutes(), ...hubRoutes(ctx), ...slotRoutes(), ...lockRoutes(ctx), ...pairingRoutes(this.pairing, new Provisioning(this.pairing, this.store)));
    this.metrics.instrumentRouter(this.router);
    this.ui = new UiDoor({ apiKey: config.local_api.api_key, bus: this.bus, logger: opts.logger.child({ door: "ui" }), now: () => this.clock.now() });
    const metrics = metricsEndpoint(config.metrics.enabled, () => this.metricsText());
    this.http = new HttpDoor(
      { listen: config.local_api.listen, apiKey: config.local_api.api_key, extra: (req, res, authorized) => this.ui.handle(req, res) || metrics(req, res, authorized), authorize: (req) => this.ui.authorizes(req) },
      this.router,
      opts.logger.child({ door: "http" }),
    );
  }

  async start(): Promise<void> {
    const log = this.opts.logger;
    this.registry.start();
    this.pairing.recover();
    await this.http.start();
    log.info({ listen: this.http.address }, "local API ready");
    this.drivers = await this.opts.drivers();
    for (const d of this.drivers) {
      this.registry.attachDriver(d);
      // After the registry: a lock_ready it hears has already made the device.
      this.pairing.attachDriver(d);
    }
    if (this.config.cloud) {
      if (!this.config.cloud.token) log.warn({}, "cloud.url is set but no token (cloud.token or LOCKBRIDGE_CLOUD_TOKEN); the cloud link stays off");
      else {
        this.cloud = new CloudWsDoor(
          { url: this.config.cloud.url, token: this.config.cloud.token, caFile: this.config.cloud.ca_file, pinnedCertSha256: this.config.cloud.pinned_cert_sha256 },
          { router: this.router, store: this.store, bus: this.bus, shaper: this.shaper, hello: { hubId: this.config.hub_id, workspaceId: this.config.workspace_id, agentVersion: AGENT_VERSION }, logger: log, door: "cloud" },
        );
        this.cloud.start();
      }
    }
    // Both doors may be configured at once: one router (requests run once per id, whichever door brings
    // them) and one outbox (each live link is sent every event; an ack on either link removes it).
    if (this.config.mqtt) {
      const m = this.config.mqtt;
      // mqtt.js is loaded only by hubs that use it (RSS on a Pi).
      const { MqttDoor } = await import("./doors/mqtt.js");
      this.mqtt = new MqttDoor(
        { url: m.url, username: m.username, password: m.password, caFile: m.ca_file, certFile: m.cert_file, keyFile: m.key_file, topicPrefix: m.topic_prefix },
        { router: this.router, store: this.store, bus: this.bus, shaper: this.shaper, hello: { hubId: this.config.hub_id, workspaceId: this.config.workspace_id, agentVersion: AGENT_VERSION }, logger: log, door: "mqtt" },
      );
      this.mqtt.start();
    }
    // Hourly only: a prune scans the events table, which start-up (API ready in well under 2 s) need not wait for.
    this.pruneTimer = setInterval(() => this.housekeeping(), 3600_000);
    this.pruneTimer.unref();
    // Radios come up in the background: the API and cloud serve stored state meanwhile.
    for (const d of this.drivers) {
      this.radioStates.set(d.protocol, { state: "starting" });
      d.start().then(
        () => this.radioStates.set(d.protocol, { state: "ready" }),
        (e: unknown) => {
          const reason = e instanceof Error ? e.message : String(e);
          this.radioStates.set(d.protocol, { state: "failed", error: reason });
          log.error({ radio: d.protocol, reason }, "radio failed to start");
        },
      );
    }
  }

  /** Hourly: expired idempotency records, and history older than HISTORY_KEEP_MS (docs/durability.md). */
  private housekeeping(): void {
    this.router.prune();
    const keepUnacked = Boolean(this.config.cloud || this.config.mqtt);
    this.store.pruneHistory(new Date(this.clock.now() - HISTORY_KEEP_MS).toISOString(), { keepUnacked });
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await Promise.all([this.cloud?.stop(), this.mqtt?.stop()]);
    this.ui.close();
    await this.http.stop();
    this.pairing.stop();
    await this.registry.stop();
    await Promise.all(this.drivers.map((d) => d.stop().catch(() => undefined)));
    await this.walSync.close();
    this.db.close();
  }

  status(): Record<string, unknown> {
    const locks = this.store.locks();
    const codes = this.store.codes();
    const byStatus: Record<string, number> = {};
    for (const c of codes) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const radios: Record<string, unknown> = {};
    for (const d of this.drivers) radios[d.protocol] = { locks: d.locks().length, simulated: Boolean(d.simulator), ...(this.radioStates.get(d.protocol) ?? { state: "starting" }) };
    return {
      hub_id: this.config.hub_id,
      workspace_id: this.config.workspace_id,
      version: AGENT_VERSION,
      uptime_s: Math.round((this.clock.now() - this.startedAt) / 1000),
      time: new Date(this.clock.now()).toISOString(),
      cloud: this.cloud ? { state: this.cloud.state, connects: this.cloud.connects } : { state: "not_configured" },
      mqtt: this.mqtt ? { state: this.mqtt.state, connects: this.mqtt.connects } : { state: "not_configured" },
      radios,
      pairings: this.pairing.activePairings(),
      locks: locks.map((l) => {
        const ex = this.registry.executor(l.deviceId);
        return { device_id: l.deviceId, name: l.name, protocol: l.protocol, online: l.online, removed: l.removed, queue_depth: ex?.queueDepth ?? 0, security_class: ex?.lockHandle?.securityClass?.() ?? null };
      }),
      access_codes: byStatus,
      pending_events: this.store.unackedCount(),
      ui: this.ui.status(),
      counters: {
        requests: this.router.requests,
        radio_commands: this.registry.all().reduce((n, e) => n + e.radioCommands, 0),
        ...this.metrics.counters(),
        outbox_depth: this.store.unackedCount(),
        reconcile: Object.fromEntries(this.registry.all().flatMap((e) => (e.lastVerify ? [[e.deviceId, { reason: e.lastVerify.reason, round_trips: e.lastVerify.roundTrips, full_read: e.lastVerify.fullRead }]] : []))),
      },
    };
  }

  /** GET /metrics (Prometheus text format; agent/metrics.ts). */
  metricsText(): string {
    const codesByStatus: Record<string, number> = {};
    for (const c of this.store.codes()) codesByStatus[c.status] = (codesByStatus[c.status] ?? 0) + 1;
    return this.metrics.render({
      version: AGENT_VERSION,
      uptimeSeconds: Math.round((this.clock.now() - this.startedAt) / 1000),
      outboxDepth: this.store.unackedCount(),
      cloud: { configured: this.cloud !== null, connected: this.cloud?.state === "connected", connects: this.cloud?.connects ?? 0 },
      codesByStatus,
      locks: this.store.locks().map((l) => {
        const ex = this.registry.executor(l.deviceId);
        return { deviceId: l.deviceId, name: l.name, protocol: l.protocol, online: l.online, queueDepth: ex?.queueDepth ?? 0, radioCommands: ex?.radioCommands ?? 0, lastVerify: ex?.lastVerify ?? null };
      }),
    });
  }
}

export type { Protocol, SimulatedLockConfig };
