import type { HubData } from "../data";
import type { SeamEvent } from "../types";
import { eventText, methodText, when } from "../words";

function detail(e: SeamEvent, data: HubData): string {
  const parts: string[] = [];
  if (e.device_id) parts.push(data.deviceName(e.device_id));
  const code = e.access_code_id ? (data.codes.get(e.access_code_id) ?? data.unmanaged.get(e.access_code_id)) : undefined;
  if (code?.name) parts.push(`code “${code.name}”`);
  const how = methodText(e.method);
  if (how) parts.push(how);
  return parts.join(" · ");
}

export function EventsView({ data }: { data: HubData }) {
  return (
    <>
      <h1 tabIndex={-1}>Events</h1>
      <div class="row filter">
        <label for="events-lock">Lock</label>
        <select id="events-lock" value={data.eventsDevice ?? ""} onChange={(e) => data.filterEvents((e.target as HTMLSelectElement).value || null)}>
          <option value="">All locks</option>
          {data.devices.map((d) => (
            <option key={d.device_id} value={d.device_id}>
              {d.display_name}
            </option>
          ))}
        </select>
      </div>
      {data.events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <ol class="events" aria-label="Events, newest first">
          {data.events.map((e) => (
            <li key={e.event_id}>
              <time dateTime={e.occurred_at ?? e.created_at}>{when(e.occurred_at ?? e.created_at)}</time>
              <span class="event-type">{eventText(e.event_type)}</span>
              <span class="muted">{detail(e, data)}</span>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
