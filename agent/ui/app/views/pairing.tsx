import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { errorText, followPairing, pairingDone } from "../actions";
import { Result, Section } from "../components";
import type { HubData } from "../data";
import type { Pairing, ProvisioningEntry } from "../types";
import { pairingText, securityText } from "../words";

/** Start a pairing; one already running on that radio is shown instead of failing. */
async function startPairing(path: string, body: Record<string, unknown>): Promise<Pairing> {
  try {
    return (await call<{ pairing: Pairing }>(path, body)).pairing;
  } catch (e) {
    const running = e instanceof ApiError && e.type === "pairing_in_progress" ? e.data?.pairing_id : undefined;
    if (typeof running !== "string") throw e;
    return (await call<{ pairing: Pairing }>("/hub/pairing/get", { pairing_id: running })).pairing;
  }
}

function secondsLeft(p: Pairing): number | null {
  if (!p.expires_at) return null;
  return Math.max(0, Math.round((new Date(p.expires_at).getTime() - Date.now()) / 1000));
}

/** One pairing as it goes: status, countdown, the PIN step, what joined, how it ended. */
export function PairingProgress({ initial, title, data }: { initial: Pairing; title: string; data?: HubData }) {
  const [p, setP] = useState(initial);
  const [, tick] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const pin = useRef<HTMLInputElement>(null);
  useEffect(() => {
    let gone = false;
    setP(initial);
    followPairing(initial, (n) => !gone && setP(n), () => gone).catch((e: unknown) => !gone && setError(errorText(e)));
    return () => {
      gone = true;
    };
  }, [initial.pairing_id]);
  const done = pairingDone(p);
  useEffect(() => {
    if (done) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [done]);
  const left = secondsLeft(p);
  const stop = async () => {
    try {
      setP((await call<{ pairing: Pairing }>("/hub/pairing/stop", { pairing_id: p.pairing_id })).pairing);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const providePin = async (e: Event) => {
    e.preventDefault();
    try {
      await call("/hub/pairing/provide_pin", { pairing_id: p.pairing_id, pin: pin.current!.value });
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="pairing" aria-label={title} role="group">
      <p role="status" class={`pairing-status ${p.status}`}>
        <strong>{`${title}: `}</strong>
        {pairingText(p.status)}
        {/* Once a lock answered, the window no longer closes on time: its key exchange and interview have their own bounds. */}
        {p.status === "waiting_for_device" && left !== null && ` Closes in ${left} s.`}
      </p>
      {p.status === "pin_needed" && (
        <form method="post" onSubmit={providePin} class="stack">
          <label for="pairing-pin">PIN: the first 5 digits of the DSK on the lock's label</label>
          <div class="dsk">
            <input id="pairing-pin" name="pin" inputMode="numeric" pattern="[0-9]{5}" maxLength={5} required autocomplete="off" ref={pin} aria-describedby="pairing-dsk" />
            <code id="pairing-dsk">{p.partial_dsk ?? ""}</code>
          </div>
          <p class="hint">Check that the rest of the DSK shown here matches the label, so you know it is your lock.</p>
          <div class="row">
            <button type="submit" class="primary">
              Send PIN
            </button>
          </div>
        </form>
      )}
      {(p.granted_security_classes ?? []).length > 0 && <p>{`Security: ${(p.granted_security_classes ?? []).map(securityText).join(", ")}`}</p>}
      {(p.device_ids ?? []).length > 0 && (
        <ul class="plain">
          {(p.device_ids ?? []).map((id) => (
            <li key={id}>
              {p.kind === "exclude" ? "Left: " : "Joined: "}
              <a href={`#/locks/${encodeURIComponent(id)}`}>{data?.device(id)?.display_name ?? "a new lock (being read…)"}</a>
            </li>
          ))}
        </ul>
      )}
      {/* The hub's message says what happened and what to do next (exclude first, move closer, ...). */}
      {p.error && <p class="error-text">{p.error.message}</p>}
      {!done && (
        <div class="row">
          <button type="button" onClick={stop}>
            Stop
          </button>
        </div>
      )}
      <Result text={error} error />
    </div>
  );
}

function Starter({ label, start, data, title }: { label: string; start: () => Promise<Pairing>; data: HubData; title: string }) {
  const [pairing, setPairing] = useState<Pairing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const running = pairing !== null && !pairingDone(pairing);
  return (
    <>
      <div class="row">
        <button
          type="submit"
          class="primary"
          disabled={running}
          onClick={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              setPairing(await start());
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          {label}
        </button>
      </div>
      {pairing && <PairingProgress key={pairing.pairing_id} initial={pairing} title={title} data={data} />}
      <Result text={error} error />
    </>
  );
}

function SmartStart() {
  const [entries, setEntries] = useState<ProvisioningEntry[] | null>(null);
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const qr = useRef<HTMLTextAreaElement>(null);
  const load = async () => {
    try {
      setEntries((await call<{ provisioning_entries: ProvisioningEntry[] }>("/hub/smart_start/list")).provisioning_entries);
    } catch (e) {
      setResult({ text: errorText(e), error: true });
    }
  };
  useEffect(() => void load(), []);
  return (
    <Section title="Z-Wave SmartStart">
      <form
        method="post"
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await call("/hub/smart_start/add", { qr_code: qr.current!.value.trim() });
            qr.current!.value = "";
            setResult({ text: "Added. The lock joins by itself once it is powered.", error: false });
            await load();
          } catch (err) {
            setResult({ text: errorText(err), error: true });
          }
        }}
      >
        <label for="smart-start-qr">QR code text</label>
        <textarea id="smart-start-qr" name="qr_code" rows={2} required spellcheck={false} aria-describedby="smart-start-hint" />
        <p id="smart-start-hint" class="hint">
          Paste the digits your phone's camera reads from the lock's QR code (they start with 90).
        </p>
        <div class="row">
          <button type="submit" class="primary">
            Add to SmartStart
          </button>
        </div>
        <Result text={result?.text ?? null} error={result?.error ?? false} />
      </form>
      {entries && entries.length > 0 && (
        <ul class="plain" aria-label="SmartStart locks">
          {entries.map((en) => (
            <li key={en.dsk}>
              {`DSK …${en.dsk.slice(-5)}: ${en.status ?? "waiting"}`}
              <button
                type="button"
                class="link danger-text"
                aria-label={`Remove SmartStart entry ending ${en.dsk.slice(-5)}`}
                onClick={async () => {
                  try {
                    await call("/hub/smart_start/remove", { dsk: en.dsk });
                    await load();
                  } catch (e) {
                    setResult({ text: errorText(e), error: true });
                  }
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function ZigbeeJoin({ data }: { data: HubData }) {
  const seconds = useRef<HTMLSelectElement>(null);
  const installCode = useRef<HTMLInputElement>(null);
  return (
    <Section title="Add a Zigbee lock">
      <form method="post" class="stack" onSubmit={(e) => e.preventDefault()}>
        <label for="zigbee-seconds">Keep the network open for</label>
        <select id="zigbee-seconds" ref={seconds}>
          <option value="60">1 minute</option>
          <option value="120" selected>
            2 minutes
          </option>
          <option value="254">254 seconds (the most Zigbee allows)</option>
        </select>
        <label for="zigbee-install-code">Install code (optional)</label>
        <input id="zigbee-install-code" ref={installCode} autocomplete="off" spellcheck={false} aria-describedby="zigbee-install-hint" />
        <p id="zigbee-install-hint" class="hint">
          With an install code, only that lock may join.
        </p>
        <Starter
          label="Open the network"
          title="Zigbee permit join"
          data={data}
          start={() => {
            const code = installCode.current!.value.trim();
            return startPairing("/hub/pairing/start", { protocol: "zigbee", timeout_s: Number(seconds.current!.value), ...(code ? { install_code: code } : {}) });
          }}
        />
      </form>
    </Section>
  );
}

export function PairingView({ data }: { data: HubData }) {
  const radios = Object.keys(data.status?.radios ?? {});
  const zwave = radios.includes("zwave");
  const zigbee = radios.includes("zigbee");
  return (
    <>
      <h1 tabIndex={-1}>Pairing</h1>
      {zwave && (
        <Section title="Add a Z-Wave lock">
          <p>Start inclusion, then press the lock's pairing button. Secure (S2) locks ask for the 5-digit PIN on their label.</p>
          <form method="post" onSubmit={(e) => e.preventDefault()}>
            <Starter label="Start inclusion" title="Z-Wave inclusion" data={data} start={() => startPairing("/hub/pairing/start", { protocol: "zwave" })} />
          </form>
        </Section>
      )}
      {zwave && <SmartStart />}
      {zigbee && <ZigbeeJoin data={data} />}
      {zwave && (
        <Section title="Remove a Z-Wave lock (exclusion)">
          <p>Start exclusion, then press the button of the lock that should leave. Its codes are deleted.</p>
          <form method="post" onSubmit={(e) => e.preventDefault()}>
            <Starter label="Start exclusion" title="Z-Wave exclusion" data={data} start={() => startPairing("/hub/unpairing/start", { protocol: "zwave" })} />
          </form>
        </Section>
      )}
      <Section title="A failed lock">
        <p>
          To remove or replace a lock that no longer answers, open it from <a href="#/locks">Locks</a>.
        </p>
      </Section>
      {!zwave && !zigbee && <p>This hub has no radio configured.</p>}
    </>
  );
}
