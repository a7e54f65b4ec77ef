import { Issues } from "../components";
import type { HubData } from "../data";
import type { Device } from "../types";
import { radioName, securityText } from "../words";

export function batteryText(d: Device): string {
  const b = d.properties.battery_level;
  return typeof b === "number" ? `${Math.round(b * 100)}%` : "not reported";
}

export function lockedText(d: Device): string {
  const l = d.properties.locked;
  return l === true ? "Locked" : l === false ? "Unlocked" : "not reported";
}

export function modelText(d: Device): string {
  const m = d.properties.model?.display_name;
  const maker = d.properties.manufacturer;
  return [maker, m].filter(Boolean).join(" ") || "unknown model";
}

/** What the hub's status says of a lock that Seam's device has no field for (radio, security). */
export function lockFacts(data: HubData, deviceId: string): { radio: string; security: string; insecure: boolean } {
  const entry = data.status?.locks?.find((l) => l.device_id === deviceId);
  const security = entry?.security_class ?? entry?.granted_security_classes?.[0] ?? null;
  return { radio: radioName(entry?.protocol), security: securityText(security), insecure: security === "None" };
}

export function LocksView({ data }: { data: HubData }) {
  return (
    <>
      <h1 tabIndex={-1}>Locks</h1>
      {data.devices.length === 0 ? (
        <p>
          No lock is paired with this hub yet. <a href="#/pairing">Pair one</a>.
        </p>
      ) : (
        <ul class="cards">
          {data.devices.map((d) => {
            const f = lockFacts(data, d.device_id);
            const slots = data.slots.get(d.device_id);
            const online = d.properties.online === true;
            return (
              <li key={d.device_id} class="card lock-card">
                <h2>
                  <a href={`#/locks/${encodeURIComponent(d.device_id)}`}>{d.display_name}</a>
                </h2>
                <p class="muted">{modelText(d)}</p>
                <dl class="facts compact">
                  <div>
                    <dt>Radio</dt>
                    <dd>{f.radio}</dd>
                  </div>
                  <div>
                    <dt>Security</dt>
                    <dd class={f.insecure ? "bad" : undefined}>{f.security}</dd>
                  </div>
                  <div>
                    <dt>Online</dt>
                    <dd class={online ? "ok" : "bad"}>{online ? "Yes" : "No"}</dd>
                  </div>
                  <div>
                    <dt>Battery</dt>
                    <dd>{batteryText(d)}</dd>
                  </div>
                  <div>
                    <dt>Door</dt>
                    <dd>{lockedText(d)}</dd>
                  </div>
                  <div>
                    <dt>Slots used</dt>
                    <dd>{slots ? `${slots.slots_used} of ${slots.slot_count}` : "…"}</dd>
                  </div>
                </dl>
                <Issues errors={d.errors} warnings={d.warnings} />
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
