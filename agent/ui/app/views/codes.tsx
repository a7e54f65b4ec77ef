import { useRef, useState } from "preact/hooks";
import { errorText } from "../actions";
import { call } from "../api";
import { codeWindow, Issues, Pin, Result, Section, StatusBadge, useConfirm, type Ask } from "../components";
import type { HubData } from "../data";
import type { AccessCode } from "../types";

type Kind = "ongoing" | "window" | "once";

/** datetime-local gives the viewer's local time without a zone; the hub wants ISO 8601 in UTC. */
const iso = (local: string) => new Date(local).toISOString();

function CreateForm({ data }: { data: HubData }) {
  const [kind, setKind] = useState<Kind>("ongoing");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(form.current!);
    const devices = data.devices.filter((d) => chosen.has(d.device_id)).map((d) => d.device_id);
    if (devices.length === 0) return setResult({ text: "Choose at least one lock.", error: true });
    const name = String(f.get("name") ?? "").trim();
    const code = String(f.get("code") ?? "").trim();
    const body: Record<string, unknown> = { ...(name ? { name } : {}), ...(code ? { code } : {}) };
    if (kind === "once") body.is_one_time_use = true;
    if (kind === "window") {
      const starts = String(f.get("starts_at") ?? "");
      const ends = String(f.get("ends_at") ?? "");
      if (!starts || !ends) return setResult({ text: "Give both the start and the end of the window.", error: true });
      body.starts_at = iso(starts);
      body.ends_at = iso(ends);
    }
    setBusy(true);
    try {
      if (devices.length === 1) data.adopt([(await call<{ access_code: AccessCode }>("/access_codes/create", { ...body, device_id: devices[0] })).access_code]);
      else data.adopt((await call<{ access_codes: AccessCode[] }>("/access_codes/create_multiple", { ...body, device_ids: devices, behavior_when_code_cannot_be_shared: f.get("own_codes") ? "create_random_code" : "throw" })).access_codes);
      setResult({ text: `Created${name ? ` “${name}”` : ""}: the hub is programming it on ${devices.length === 1 ? "the lock" : `${devices.length} locks`}.`, error: false });
      form.current!.reset();
      setKind("ongoing");
      setChosen(new Set());
    } catch (err) {
      setResult({ text: errorText(err), error: true });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Create a code">
      <form ref={form} method="post" onSubmit={submit} class="stack">
        <label for="code-name">Name</label>
        <input id="code-name" name="name" maxLength={200} placeholder="e.g. Cleaner, Guest Smith" />
        <fieldset>
          <legend>Locks</legend>
          {data.devices.map((d) => (
            <label key={d.device_id} class="check">
              <input type="checkbox" name="device_id" value={d.device_id} checked={chosen.has(d.device_id)} onChange={() => toggle(d.device_id)} />
              {d.display_name}
            </label>
          ))}
        </fieldset>
        {chosen.size > 1 && (
          <label class="check">
            <input type="checkbox" name="own_codes" value="1" />
            If one PIN cannot fit every lock, give each lock its own
          </label>
        )}
        <label for="code-pin">PIN</label>
        <input id="code-pin" name="code" inputMode="numeric" autocomplete="off" maxLength={16} aria-describedby="code-pin-hint" />
        <p id="code-pin-hint" class="hint">
          Leave empty to let the hub pick one that fits the lock.
        </p>
        <fieldset>
          <legend>When it works</legend>
          {(
            [
              ["ongoing", "Always"],
              ["window", "Between two times"],
              ["once", "Once (removed after its first use)"],
            ] as Array<[Kind, string]>
          ).map(([k, label]) => (
            <label key={k} class="check">
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {label}
            </label>
          ))}
        </fieldset>
        {kind === "window" && (
          <div class="two">
            <div>
              <label for="code-starts">Starts</label>
              <input id="code-starts" name="starts_at" type="datetime-local" required />
            </div>
            <div>
              <label for="code-ends">Ends</label>
              <input id="code-ends" name="ends_at" type="datetime-local" required />
            </div>
          </div>
        )}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Creating…" : "Create code"}
          </button>
        </div>
        <Result text={result?.text ?? null} error={result?.error ?? false} />
      </form>
    </Section>
  );
}

function CodeItem({ c, data, ask }: { c: AccessCode; data: HubData; ask: Ask }) {
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const label = c.name || "Unnamed code";
  const rename = async (e: Event) => {
    e.preventDefault();
    try {
      await call("/access_codes/update", { access_code_id: c.access_code_id, name: input.current!.value.trim() });
      setEditing(false);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const remove = async () => {
    if (!(await ask(`Delete “${label}” from ${data.deviceName(c.device_id)}? The lock stops accepting it.`, "Delete", true))) return;
    try {
      await call("/access_codes/delete", { access_code_id: c.access_code_id });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <li class="card code">
      {editing ? (
        <form method="post" onSubmit={rename} class="row">
          <label for={`rename-${c.access_code_id}`} class="sr-only">{`New name for ${label}`}</label>
          <input id={`rename-${c.access_code_id}`} ref={input} defaultValue={c.name ?? ""} maxLength={200} />
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <h3 class="code-name">{label}</h3>
      )}
      <p class="muted">{data.deviceName(c.device_id)}</p>
      <div class="code-facts">
        <Pin code={c.code} label={label} />
        <StatusBadge status={c.status} />
        <span>{codeWindow(c)}</span>
      </div>
      <Issues errors={c.errors} warnings={c.warnings} />
      {!editing && (
        <div class="row">
          <button type="button" class="link" aria-label={`Rename ${label}`} onClick={() => setEditing(true)}>
            Rename
          </button>
          <button type="button" class="link danger-text" aria-label={`Delete ${label}`} onClick={remove}>
            Delete
          </button>
        </div>
      )}
      <Result text={error} error />
    </li>
  );
}

export function CodesView({ data }: { data: HubData }) {
  const [confirm, ask] = useConfirm();
  const codes = [...data.codes.values()].sort((a, b) => data.deviceName(a.device_id).localeCompare(data.deviceName(b.device_id)) || (a.name ?? "").localeCompare(b.name ?? ""));
  return (
    <>
      <h1 tabIndex={-1}>Access codes</h1>
      <CreateForm data={data} />
      <Section title={`Codes (${codes.length})`} id="code-list">
        {codes.length === 0 ? (
          <p>No access codes yet.</p>
        ) : (
          <ul class="cards" aria-label="Access codes">
            {codes.map((c) => (
              <CodeItem key={c.access_code_id} c={c} data={data} ask={ask} />
            ))}
          </ul>
        )}
      </Section>
      {confirm}
    </>
  );
}
