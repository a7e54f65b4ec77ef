import { z } from "zod";
import { profileProblem, withProfileDefaults } from "../../drivers/sim/profiles/index.js";

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes * 2} hex digits (${bytes} bytes)`);

const listen = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:8787"')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(":") + 1));
    return port >= 0 && port <= 65535;
  }, "port must be between 0 and 65535");

const codeLengths = z
  .array(z.number().int().min(1).max(16))
  .min(1)
  .refine((a) => new Set(a).size === a.length, "must not repeat a length");

/**
 * A simulated lock. `profile` names a real lock model (protocol.md §9, drivers/sim/profiles): its facts are
 * the defaults, every key given here overrides them. Without a profile `slots` is required.
 */
const simulatedLock = z
  .object({
    protocol: z.enum(["zwave", "zigbee"]),
    name: z.string().min(1).max(100),
    profile: z.string().min(1).max(100).optional(),
    slots: z.number().int().min(1).max(1000).optional(),
    code_lengths: codeLengths.optional(),
    checksum: z.boolean().optional(),
    native_scheduling: z.boolean().optional(),
    masked_readback: z.boolean().optional(),
    battery: z.boolean().optional(),
    /** Seconds after an unlock (door closed) before the simulated lock relocks itself; 0: never. */
    auto_relock_s: z.number().int().min(0).max(3600).default(0),
    /** Z-Wave: the lock reports multi-code support (User Code v2: several codes per Extended User Code Set). */
    multi_code: z.boolean().optional(),
  })
  .strict()
  .superRefine((lock, ctx) => {
    const problem = lock.profile === undefined ? null : profileProblem(lock.profile, lock.protocol);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["profile"], message: problem });
    if (lock.profile === undefined && lock.slots === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["slots"], message: "Required (or name a profile)" });
    if (lock.multi_code && lock.protocol === "zigbee") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["multi_code"], message: "only a Z-Wave lock takes several codes per frame (Zigbee sets one PIN per command)" });
    }
  })
  .transform(({ profile, ...own }) => {
    if (profile !== undefined) return { ...withProfileDefaults(own.protocol, profile, own), profile };
    return { ...DEFAULT_LOCK_FLAGS, ...dropUndefined(own), slots: own.slots ?? 1 };
  });

/** A lock without a profile: flags default to false (protocol.md §5), battery to true. */
const DEFAULT_LOCK_FLAGS = { code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false };

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const timing = z
  .object({
    delay_warning_after_ms: z.number().int().min(0).default(120_000),
    failure_after_ms: z.number().int().min(1).default(900_000),
    program_ahead_ms: z.number().int().min(0).default(600_000),
    reconcile_interval_ms: z.number().int().min(1000).default(21_600_000),
    /** How far ahead a natively scheduled code is programmed (protocol.md §3: up to 72 h). */
    native_schedule_ahead_ms: z.number().int().min(0).default(72 * 3_600_000),
    /** How long a lock_door / unlock_door may take before its action attempt fails (protocol.md §8). */
    lock_operation_timeout_ms: z.number().int().min(1000).max(300_000).default(30_000),
  })
  .strict();

export const configSchema = z
  .object({
    hub_id: z.string().uuid().optional(),
    workspace_id: z.string().uuid().optional(),
    connected_account_id: z.string().uuid().optional(),
    data_dir: z.string().min(1),
    cloud: z
      .object({
        url: z.string().regex(/^wss?:\/\/\S+$/, "must be a ws:// or wss:// URL"),
        token: z.string().min(1).optional(),
        ca_file: z.string().min(1).optional(),
        /** SHA-256 fingerprints (hex, colons allowed) of acceptable server certificates. */
        pinned_cert_sha256: z.array(z.string().regex(/^[0-9a-fA-F:]{64,95}$/, "must be a SHA-256 fingerprint")).optional(),
      })
      .strict()
      .optional(),
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?):\/\/\S+$/, "must be an mqtt://, mqtts://, ws:// or wss:// URL"),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        ca_file: z.string().min(1).optional(),
        cert_file: z.string().min(1).optional(),
        key_file: z.string().min(1).optional(),
        topic_prefix: z.string().regex(/^[^#+\s]+$/, "must not contain MQTT wildcards or spaces").default("lockbridge"),
      })
      .strict()
      .optional(),
    /** Prometheus /metrics on the local API listener (off by default). */
    metrics: z.object({ enabled: z.boolean().default(false) }).strict().default({}),
    local_api: z
      .object({
        listen: listen.default("127.0.0.1:8787"),
        api_key: z.string().min(16, "must be at least 16 characters").optional(),
      })
      .strict()
      .default({}),
    zwave: z
      .object({
        port: z.string().min(1),
        security_keys: z
          .object({
            S0_Legacy: hex(16).optional(),
            S2_Unauthenticated: hex(16).optional(),
            S2_Authenticated: hex(16).optional(),
            S2_AccessControl: hex(16).optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .optional(),
    zigbee: z
      .object({
        port: z.string().min(1),
        adapter: z.enum(["zstack", "ember", "deconz", "zigate", "zboss"]).default("zstack"),
        channel: z.number().int().min(11).max(26).default(15),
        pan_id: z.number().int().min(1).max(0xfffe).default(6754),
        // Never a default: `lockbridge init` generates one (or LOCKBRIDGE_ZIGBEE_NETWORK_KEY supplies it).
        network_key: hex(16),
        permit_join: z.boolean().default(false),
      })
      .strict()
      .optional(),
    simulation: z
      .object({
        locks: z.array(simulatedLock).max(64).default([]),
        /** Airtime, wake-up beams and poll delays of real locks on the simulated radios (docs/radio-time.md). */
        radio_time: z.enum(["instant", "realistic"]).default("instant"),
      })
      .strict()
      .optional(),
    timing: timing.default({}),
    /** Locks without a checksum that run on batteries are not polled after start-up unless this is true. */
    poll_battery_locks: z.boolean().default(false),
    backup_pool_size: z.number().int().min(0).max(20).default(2),
    /** false: /locks/unlock_door is refused (400) and devices show can_remotely_unlock false, for sites that forbid remote unlock. */
    allow_remote_unlock: z.boolean().default(true),
    log: z.object({ level: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info") }).strict().default({}),
  })
  .strict();

export type FileConfig = z.infer<typeof configSchema>;

/** The configuration the hub runs on: every id and secret resolved. */
export interface HubConfig extends Omit<FileConfig, "hub_id" | "workspace_id" | "connected_account_id" | "local_api"> {
  readonly hub_id: string;
  readonly workspace_id: string;
  readonly connected_account_id: string;
  readonly local_api: { readonly listen: string; readonly api_key: string };
  readonly configPath: string;
}
