import { Facts, Section } from "../components";
import type { HubData } from "../data";
import { duration, linkText, radioName, statusText, when } from "../words";

function clockNote(hubIso: string | undefined): string {
  if (!hubIso) return "";
  const skew = Math.round((new Date(hubIso).getTime() - Date.now()) / 1000);
  // The status is read every 15 s, so a skew under a minute is only the read's age.
  if (Math.abs(skew) < 60) return "matches this device";
  return `${duration(Math.abs(skew))} ${skew > 0 ? "ahead of" : "behind"} this device`;
}

export function HubView({ data }: { data: HubData }) {
  const s = data.status ?? {};
  const radios = Object.entries(s.radios ?? {});
  const troubled = data.devices.filter((d) => (d.errors ?? []).length > 0 || d.properties.online === false);
  const codes = Object.entries(s.access_codes ?? {});
  return (
    <>
      <h1 tabIndex={-1}>Hub</h1>
      <Section title="This hub">
        <Facts
          items={[
            ["Version", s.version ?? "unknown"],
            ["Hub clock", s.time ? `${when(s.time)} (${clockNote(s.time)})` : "unknown"],
            ["Running for", s.uptime_s !== undefined ? duration(s.uptime_s) : "unknown"],
            ["Cloud link", linkText(s.cloud?.state)],
            ["MQTT link", linkText(s.mqtt?.state)],
            ["Events not yet delivered", String(s.pending_events ?? 0)],
          ]}
        />
      </Section>
      <Section title="Radios">
        {radios.length === 0 ? (
          <p>No radio is configured.</p>
        ) : (
          <ul class="plain">
            {radios.map(([p, r]) => (
              <li key={p}>
                <strong>{radioName(p)}</strong>
                {`: ${r.state ?? "unknown"}${r.simulated ? " (simulated)" : ""}, ${r.locks ?? 0} ${r.locks === 1 ? "lock" : "locks"}`}
                {r.error && <span class="error-text">{` — ${r.error}`}</span>}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Locks">
        <p>
          {`${data.devices.length} ${data.devices.length === 1 ? "lock" : "locks"}, ${data.devices.filter((d) => d.properties.online).length} online. `}
          <a href="#/locks">See all locks</a>
        </p>
        {troubled.length > 0 && (
          <>
            <p>Needs attention:</p>
            <ul class="plain">
              {troubled.map((d) => (
                <li key={d.device_id}>
                  <a href={`#/locks/${encodeURIComponent(d.device_id)}`}>{d.display_name}</a>
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>
      <Section title="Access codes">
        {codes.length === 0 ? (
          <p>No access codes yet.</p>
        ) : (
          <ul class="plain">
            {codes.map(([status, n]) => (
              <li key={status}>{`${statusText(status)}: ${n}`}</li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
