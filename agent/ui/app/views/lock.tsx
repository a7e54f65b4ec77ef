import { useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { errorText, lockAction } from "../actions";
import { codeWindow, Facts, Issues, Pin, Result, Section, StatusBadge, useConfirm } from "../components";
import type { HubData } from "../data";
import type { Device, Pairing, SlotView } from "../types";
import { ago, statusText } from "../words";
import { batteryText, lockedText, lockFacts, modelText } from "./locks";
import { PairingProgress } from "./pairing";

type Row = { kind: "slot"; s: SlotView } | { kind: "free"; from: number; to: number };

/** Slots in order, runs of free slots folded into one row. */
function rows(slots: readonly SlotView[]): Row[] {
  const out: Row[] = [];
  for (const s of slots) {
    const last = out[out.length - 1];
    if (s.holder === "free" && last?.kind === "free" && last.to === s.slot - 1) last.to = s.slot;
    else out.push(s.holder === "free" ? { kind: "free", from: s.slot, to: s.slot } : { kind: "slot", s });
  }
  return out;
}

const HOLDER: Record<string, string> = { managed: "Managed code", unmanaged: "Unmanaged code", backup: "Backup code", unidentified: "Not identified yet" };

function SlotRow({ s, data }: { s: SlotView; data: HubData }) {
  const code = s.holder === "managed" ? data.codes.get(s.access_code_id ?? "") : s.holder === "unmanaged" ? data.unmanaged.get(s.access_code_id ?? "") : undefined;
  const name = code?.name || (s.holder === "backup" ? "Backup pool" : s.holder === "unmanaged" ? "Set at the keypad or by another app" : "—");
  return (
    <tr role="row">
      <th scope="row" role="rowheader">{String(s.slot)}</th>
      <td role="cell" data-label="Holds">{HOLDER[s.holder] ?? s.holder}</td>
      <td role="cell" data-label="Name">{name}</td>
      <td role="cell" data-label="PIN">{code ? <Pin code={code.code} label={`slot ${s.slot}`} /> : s.on_lock === "masked" ? "hidden by the lock" : "—"}</td>
      <td role="cell" data-label="Status">{code && s.holder === "managed" ? <StatusBadge status={code.status} /> : s.status ? statusText(s.status) : s.on_lock === "not_read" ? "not read yet" : "On the lock"}</td>
      <td role="cell" data-label="When">{code && s.holder === "managed" ? codeWindow(code) : s.schedule_on_lock ? "window on the lock" : "Always"}</td>
      <td role="cell" data-label="Last change">{s.changed_at ? ago(s.changed_at) : s.observed_at ? ago(s.observed_at) : "—"}</td>
    </tr>
  );
}

function LockActions({ device }: { device: Device }) {
  const [confirm, ask] = useConfirm();
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (action: "lock" | "unlock") => {
    const verb = action === "lock" ? "Lock" : "Unlock";
    if (!(await ask(`${verb} ${device.display_name} now?`, verb, action === "unlock"))) return;
    setBusy(true);
    setResult({ text: `${verb}ing… waiting for the lock to report it.`, error: false });
    try {
      const a = await lockAction(device.device_id, action, () => undefined);
      setResult(a.status === "success" ? { text: `${device.display_name} is ${action}ed.`, error: false } : { text: a.error?.message ?? `The lock did not ${action}.`, error: true });
    } catch (e) {
      setResult({ text: errorText(e), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Lock and unlock">
      <p>{`The door is: ${lockedText(device)}.`}</p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => run("lock")}>
          Lock
        </button>
        <button type="button" disabled={busy} onClick={() => run("unlock")}>
          Unlock
        </button>
      </div>
      <Result text={result?.text ?? null} error={result?.error ?? false} />
      {confirm}
    </Section>
  );
}

function RemoveOrReplace({ device, protocol }: { device: Device; protocol: string }) {
  const [confirm, ask] = useConfirm();
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const remove = async () => {
    if (!(await ask(`Remove ${device.display_name} from this hub? Its access codes are deleted.`, "Remove", true))) return;
    try {
      await call("/hub/devices/remove", { device_id: device.device_id });
      setResult({ text: protocol === "zigbee" ? "The lock was told to leave the network." : "The failed lock was removed.", error: false });
    } catch (e) {
      const text = e instanceof ApiError && e.type === "exclusion_required" ? "This lock still answers the hub: remove it with an exclusion (Pairing page), pressing its button when asked." : errorText(e);
      setResult({ text, error: true });
    }
  };
  const replace = async () => {
    if (!(await ask(`Replace ${device.display_name} with a new lock? The new lock gets every code of this one.`, "Replace"))) return;
    try {
      setPairing((await call<{ pairing: Pairing }>("/hub/devices/replace", { device_id: device.device_id })).pairing);
      setResult(null);
    } catch (e) {
      setResult({ text: errorText(e), error: true });
    }
  };
  return (
    <Section title="Remove or replace">
      <p>{protocol === "zwave" ? "A failed (dead) Z-Wave lock can be removed, or replaced by a new one that keeps its codes. A lock that still answers is removed by exclusion." : "The lock is told to leave the network."}</p>
      <div class="row">
        <button type="button" class="danger" onClick={remove}>
          Remove lock
        </button>
        {protocol === "zwave" && (
          <button type="button" onClick={replace}>
            Replace failed lock
          </button>
        )}
      </div>
      {pairing && <PairingProgress initial={pairing} title="Z-Wave replacement" />}
      <Result text={result?.text ?? null} error={result?.error ?? false} />
      {confirm}
    </Section>
  );
}

export function LockView({ data, deviceId }: { data: HubData; deviceId: string }) {
  const device = data.device(deviceId);
  if (!device) {
    return (
      <>
        <h1 tabIndex={-1}>Lock not found</h1>
        <p>
          This lock is not on the hub (any more). <a href="#/locks">All locks</a>
        </p>
      </>
    );
  }
  const f = lockFacts(data, deviceId);
  const map = data.slots.get(deviceId);
  const waiting = [...data.codes.values()].filter((c) => c.device_id === deviceId && !map?.slots.some((s) => s.access_code_id === c.access_code_id));
  const protocol = data.status?.locks?.find((l) => l.device_id === deviceId)?.protocol ?? "";
  return (
    <>
      <p class="crumbs">
        <a href="#/locks">Locks</a>
      </p>
      <h1 tabIndex={-1}>{device.display_name}</h1>
      <Issues errors={device.errors} warnings={device.warnings} />
      <Section title="This lock">
        <Facts
          items={[
            ["Model", modelText(device)],
            ["Radio", f.radio],
            ["Security", f.insecure ? <span class="bad">{f.security}</span> : f.security],
            ["Online", device.properties.online ? "Yes" : "No"],
            ["Battery", batteryText(device)],
            ["Door", lockedText(device)],
            ["Slots used", map ? `${map.slots_used} of ${map.slot_count}` : "…"],
            ["Code lengths", (device.properties.supported_code_lengths ?? []).join(", ") || "not reported"],
          ]}
        />
      </Section>
      <Section title="Slots">
        {!map ? (
          <p>Reading…</p>
        ) : (
          <div class="scroll" role="region" aria-label={`Slots of ${device.display_name}`} tabIndex={0}>
            {/* Explicit roles: the table keeps its semantics when the phone layout stacks its rows. */}
            <table class="slots" role="table">
              <caption class="sr-only">{`What each of the ${map.slot_count} slots holds`}</caption>
              <thead role="rowgroup">
                <tr role="row">
                  {["Slot", "Holds", "Name", "PIN", "Status", "When", "Last change"].map((h) => (
                    <th key={h} scope="col" role="columnheader">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody role="rowgroup">
                {rows(map.slots).map((r) =>
                  r.kind === "free" ? (
                    <tr key={`free-${r.from}`} class="free" role="row">
                      <th scope="row" role="rowheader">{r.from === r.to ? String(r.from) : `${r.from}–${r.to}`}</th>
                      <td role="cell" colSpan={6}>
                        Free
                      </td>
                    </tr>
                  ) : (
                    <SlotRow key={r.s.slot} s={r.s} data={data} />
                  ),
                )}
              </tbody>
            </table>
          </div>
        )}
        {waiting.length > 0 && (
          <>
            <h3>Waiting for a slot</h3>
            <ul class="plain">
              {waiting.map((c) => (
                <li key={c.access_code_id}>
                  {c.name || "Unnamed code"} <StatusBadge status={c.status} />
                  <Issues errors={c.errors} warnings={c.warnings} />
                </li>
              ))}
            </ul>
          </>
        )}
        <p>
          <a href={`#/codes`}>Create or change codes</a>
        </p>
      </Section>
      {(device.capabilities_supported ?? []).includes("lock") && <LockActions device={device} />}
      <RemoveOrReplace device={device} protocol={protocol} />
    </>
  );
}
