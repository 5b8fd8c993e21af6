import { useState } from "hono/jsx/dom";
import { gateway, type WebhookEndpoint } from "../gateway";
import { useCall } from "../ui/call";
import { CheckGroup } from "../ui/check-group";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { FormActions } from "../ui/form-actions";
import { ErrorMessage } from "../ui/status";
import { ALL_EVENTS, EVENT_TYPES, type EndpointEvents } from "./webhook-events";

/** `Add Endpoint`: the form; the page then shows the endpoint's secret once. */
export function AddEndpoint(props: {
  onAdded: (added: { endpoint: WebhookEndpoint; secret: string }) => void;
  onClose: () => void;
}) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<EndpointEvents>([]);
  const call = useCall();

  const submit = (event: Event) => {
    event.preventDefault();
    void call.run(async () => {
      const added = await gateway().webhookEndpoints.create({
        url: url.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        events: all ? [ALL_EVENTS] : events,
      });
      props.onAdded(added);
    });
  };

  return (
    <Dialog title="Add Endpoint" onClose={props.onClose} wide>
      <form onSubmit={submit}>
        <Field
          label="URL"
          name="url"
          required
          maxLength={2048}
          spellcheck={false}
          value={url}
          onValue={setUrl}
          hint="Where the gateway POSTs events: https://, or http://localhost or 127.0.0.1 with a port for development."
        />
        <Field label="Description" name="description" maxLength={500} value={description} onValue={setDescription} />
        <CheckGroup legend="Events" options={EVENT_TYPES} selected={events} onChange={setEvents} allChosen={all}>
          <label class="check">
            <input
              type="checkbox"
              checked={all}
              onChange={(e: Event) => setAll((e.target as HTMLInputElement).checked)}
            />
            All events (types added later too)
          </label>
        </CheckGroup>
        <ErrorMessage error={call.error} />
        <FormActions submitLabel="Add Endpoint" busy={call.busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
