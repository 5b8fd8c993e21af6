import type { Body } from "../gateway";
import { ALERT_TYPES } from "./alerts";

export type EndpointEvents = Body<"POST /admin/webhook-endpoints">["events"];

/** What an endpoint may receive: every alert type (secret_leaked among them) and the test event. */
export const EVENT_TYPES: { value: EndpointEvents[number]; label: string }[] = [
  ...ALERT_TYPES,
  { value: "webhook.test", label: "Test event" },
];

/** The API's "every event type, those added later too". */
export const ALL_EVENTS = "*";

export const eventLabel = (type: string) => EVENT_TYPES.find((t) => t.value === type)?.label ?? type;

/** An endpoint's `events` as a person reads them. */
export const eventsText = (events: string[]) =>
  events.includes(ALL_EVENTS) ? "All events" : events.map(eventLabel).join(", ");
