// Following a pairing from the installer's terminal: one line per step, the PIN prompt when the lock
// asks for it, Ctrl-C stops the pairing on the hub, and an exit code that says how it ended.
import { createInterface } from "node:readline";
import type { HubClient } from "./hub-client.js";
import { refusal } from "./hub-client.js";

/** Exit codes of pair / unpair / replace (docs/install.md). */
export const EXIT = {
  ok: 0,
  /** The hub could not be reached, or answered something unexpected. */
  unexpected: 1,
  usage: 2,
  /** The hub refused the request (another pairing running, a live lock that needs an exclusion, bad input). */
  refused: 3,
  /** The window closed (expired or stopped) and no lock joined. */
  noLock: 4,
  wrongPin: 5,
  /** The lock joined without security: it is not used and must be excluded. */
  insecure: 6,
  /** Any other failure (timeout during the key exchange, interview failed, not allowed). */
  failed: 7,
  interrupted: 130,
} as const;

export type Pairing = {
  pairing_id: string;
  protocol: string;
  kind: string;
  status: string;
  expires_at: string;
  partial_dsk?: string;
  requested_security_classes?: string[];
  granted_security_classes?: string[];
  device_ids: string[];
  error?: { type: string; message: string };
};

const FINAL = new Set(["succeeded", "failed", "stopped", "expired"]);
const POLL_MS = 250;

export type Out = (line: string) => void;

/** Lines typed on stdin (the PIN), one reader for the whole command: a reader per question loses lines on a pipe. */
class LineReader {
  private readonly lines: string[] = [];
  private readonly waiters: Array<(line: string | null) => void> = [];
  private ended = false;
  private readonly rl = createInterface({ input: process.stdin, terminal: false });

  constructor() {
    this.rl.on("line", (line) => {
      const wake = this.waiters.shift();
      if (wake) wake(line.trim());
      else this.lines.push(line.trim());
    });
    this.rl.on("close", () => {
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake(null);
    });
  }

  /** The next line after showing `prompt`, or null once stdin is closed. */
  ask(prompt: string): Promise<string | null> {
    process.stdout.write(prompt);
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.rl.close();
  }
}

export interface FollowOptions {
  /** Called with each pairing as it changes; return true to stop the pairing (e.g. the first Zigbee lock joined). */
  readonly onChange?: (p: Pairing) => boolean | void;
  /** Names of devices, for the "paired" line. */
  readonly nameOf?: (deviceId: string) => Promise<string | null>;
}

export async function follow(hub: HubClient, start: Pairing, out: Out, opts: FollowOptions = {}): Promise<number> {
  let current = start;
  let shown = "";
  let interrupted = false;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await hub.post("/hub/pairing/stop", { pairing_id: current.pairing_id }).catch(() => undefined);
  };
  const onSigint = (): void => {
    interrupted = true;
    out("interrupted: stopping the pairing on the hub");
    void stop();
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  const seen = new Set<string>();
  let reader: LineReader | null = null;
  try {
    for (;;) {
      const line = describe(current);
      if (line !== shown) {
        out(line);
        shown = line;
      }
      for (const id of current.device_ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const name = (await opts.nameOf?.(id)) ?? null;
        out(`  ${current.kind === "exclude" ? "removed" : "paired"}: device ${id}${name ? ` (${name})` : ""}`);
      }
      if (!stopping && opts.onChange?.(current)) await stop();
      if (FINAL.has(current.status)) break;
      if (current.status === "pin_needed" && !stopping) {
        reader ??= new LineReader();
        const pin = await reader.ask(`  enter the 5-digit PIN printed on the lock (the first block of its DSK; the rest reads ${current.partial_dsk ?? "?"}): `);
        if (pin === null) {
          out("  no PIN (input closed): stopping the pairing");
          await stop();
        } else {
          const answer = await hub.post("/hub/pairing/provide_pin", { pairing_id: current.pairing_id, pin });
          if (answer.status !== 200) out(`  the hub did not take the PIN (${refusal(answer)})`);
        }
      } else {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const next = await hub.post("/hub/pairing/get", { pairing_id: current.pairing_id });
      if (next.status !== 200) {
        out(`lost the pairing: ${refusal(next)}`);
        return EXIT.unexpected;
      }
      current = next.body.pairing as Pairing;
    }
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    reader?.close();
  }
  if (interrupted) return EXIT.interrupted;
  return exitCodeOf(current);
}

export function exitCodeOf(p: Pairing): number {
  if (p.status === "succeeded") return EXIT.ok;
  if ((p.status === "stopped" || p.status === "expired") && p.device_ids.length > 0 && !p.error) return EXIT.ok;
  if (p.status === "failed" || p.error) {
    switch (p.error?.type) {
      case "wrong_pin":
        return EXIT.wrongPin;
      case "insecure_inclusion":
        return EXIT.insecure;
      default:
        return p.device_ids.length > 0 ? EXIT.ok : p.status === "failed" ? EXIT.failed : EXIT.noLock;
    }
  }
  return EXIT.noLock;
}

function describe(p: Pairing): string {
  // Seconds left in steps of 10, so the line is repeated every 10 s, not every poll.
  const left = Math.max(0, Math.ceil((Date.parse(p.expires_at) - Date.now()) / 10_000) * 10);
  switch (p.status) {
    case "waiting_for_device":
      if (p.kind === "exclude") return `waiting: press the pairing button of the lock to remove (window closes in ≤ ${left} s)`;
      if (p.kind === "replace") return `waiting: press the pairing button of the new lock (window closes in ≤ ${left} s)`;
      return `waiting: press the lock's pairing button (window closes in ≤ ${left} s)`;
    case "securing":
      return `lock found: securing it${p.requested_security_classes?.length ? ` (it asks for ${p.requested_security_classes.join(", ")})` : ""}`;
    case "pin_needed":
      return "the lock asks for its PIN";
    case "interviewing":
      return `secured${p.granted_security_classes?.length ? ` with ${p.granted_security_classes.join(", ")}` : ""}: reading what the lock can do`;
    case "succeeded":
      return p.kind === "exclude" ? "done: the lock left the network" : "done: the lock is paired";
    case "expired":
      return "the window closed";
    case "stopped":
      return "the pairing was stopped";
    case "failed":
      return `failed (${p.error?.type ?? "error"}): ${p.error?.message ?? ""}`;
    default:
      return p.status;
  }
}
