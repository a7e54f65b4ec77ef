import { execFile } from "node:child_process";

/**
 * systemd's notify protocol (sd_notify(3)) for Type=notify units: READY=1, WATCHDOG=1, STOPPING=1.
 *
 * Node has no unix datagram sockets, and the npm packages that add them (unix-dgram, sd-notify)
 * are native addons that would have to be compiled on the Pi. The hub runs systemd-notify(1)
 * instead: it ships with systemd, and by default it waits until the service manager has read the
 * message, so the message is attributed to the unit although it comes from a helper process.
 * That helper is not the main PID, so the unit needs NotifyAccess=all (systemd/lockbridge.service).
 *
 * Without NOTIFY_SOCKET (not started by systemd, or Type=simple) every call is a no-op.
 */
export interface SdNotify {
  /** True when NOTIFY_SOCKET is set. */
  readonly enabled: boolean;
  /** Ping interval in ms (half of WATCHDOG_USEC), or null when systemd expects no pings. */
  readonly watchdogIntervalMs: number | null;
  /** READY=1 (call once the service is usable) and start the watchdog pings. */
  ready(status?: string): void;
  /** STOPPING=1 and stop the watchdog pings. */
  stopping(): void;
  /** STATUS=<text>, shown by `systemctl status`. */
  status(text: string): void;
}

export type NotifyRunner = (args: readonly string[]) => Promise<void>;

export interface SdNotifyOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Sends one message; the default runs `systemd-notify <args>`. */
  readonly run?: NotifyRunner;
  /** Told once when notifying fails (systemd-notify missing, socket refused). */
  readonly onError?: (message: string) => void;
}

const runSystemdNotify: NotifyRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile("systemd-notify", [...args], { timeout: 10_000, windowsHide: true }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`systemd-notify ${args.join(" ")}: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });

/** Half the watchdog timeout, in ms; null when no watchdog is set for this process. */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isFinite(usec) || usec <= 0) return null;
  // WATCHDOG_PID names the process the manager expects pings from; another PID must not ping.
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}

export function createSdNotify(opts: SdNotifyOptions = {}): SdNotify {
  const env = opts.env ?? process.env;
  const enabled = Boolean(env.NOTIFY_SOCKET);
  const run = opts.run ?? runSystemdNotify;
  const interval = enabled ? watchdogInterval(env) : null;
  let timer: NodeJS.Timeout | null = null;
  let pinging = false;
  let reported = false;

  const send = (args: string[]): Promise<void> => {
    if (!enabled) return Promise.resolve();
    return run(args).catch((e: unknown) => {
      if (reported) return;
      reported = true;
      opts.onError?.(e instanceof Error ? e.message : String(e));
    });
  };
  const stopWatchdog = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  return {
    enabled,
    watchdogIntervalMs: interval,
    ready(status) {
      void send(["READY=1", ...(status ? [`STATUS=${status}`] : [])]);
      if (interval === null || timer) return;
      timer = setInterval(() => {
        // One ping in flight at a time: a slow manager must not pile up helper processes.
        if (pinging) return;
        pinging = true;
        void send(["WATCHDOG=1"]).finally(() => (pinging = false));
      }, interval);
      timer.unref();
    },
    stopping() {
      stopWatchdog();
      void send(["STOPPING=1"]);
    },
    status(text) {
      void send([`STATUS=${text}`]);
    },
  };
}
