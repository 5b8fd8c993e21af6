import { useState } from "hono/jsx/dom";
import { gateway, type Me, type WebhookEndpoint } from "../gateway";
import { when } from "../format";
import { useCall } from "../ui/call";
import { Confirm } from "../ui/confirm";
import { ListTable } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { PageHead } from "../ui/page-head";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading, Notice } from "../ui/status";
import { AddEndpoint } from "./webhook-add";
import { Deliveries } from "./webhook-deliveries";
import { eventsText } from "./webhook-events";
import { WebhookSecret } from "./webhook-secret";

type Open =
  | { kind: "add" }
  | { kind: "rotate"; endpoint: WebhookEndpoint }
  | { kind: "delete"; endpoint: WebhookEndpoint }
  | { kind: "deliveries"; endpoint: WebhookEndpoint }
  | { kind: "secret"; title: string; endpoint: WebhookEndpoint; secret: string; note?: string }
  | null;

const COLUMNS = ["URL", "Events", "Status", "Created", "Actions"];

const OVERLAP =
  "The old secret keeps signing deliveries for 24 hours, beside the new one, so receivers can switch over.";

const statusText = (e: WebhookEndpoint) =>
  e.status === "enabled" ? "Enabled" : e.disabled_reason === "failing" ? "Disabled (failing)" : "Disabled";

/** Reached only with webhooks:manage (the navigation's rule), which every action here needs. */
export function WebhooksPage(_props: { me: Me }) {
  const [open, setOpen] = useState<Open>(null);
  // What the last row action did: one line above the table (its failure is the call's error).
  const [notice, setNotice] = useState<string | null>(null);
  const [acting, setActing] = useState<string | null>(null);
  const call = useCall();
  const list = usePaged<WebhookEndpoint>(async (cursor) => {
    const page = await gateway().webhookEndpoints.page({ limit: 25, cursor: cursor ?? undefined });
    return { items: page.endpoints, next: page.next_cursor };
  }, "webhook-endpoints");
  const close = () => setOpen(null);

  /** A row action that answers at once, its result said in the notice. */
  const act = (endpoint: WebhookEndpoint, run: () => Promise<string>) => {
    setActing(endpoint.id);
    setNotice(null);
    void call.run(async () => setNotice(await run()));
  };
  const sendTest = (endpoint: WebhookEndpoint) =>
    act(endpoint, async () => {
      await gateway().webhookEndpoints.test(endpoint.id);
      return `Test event queued for ${endpoint.url}. Its delivery is listed under Deliveries.`;
    });
  const setStatus = (endpoint: WebhookEndpoint, status: "enabled" | "disabled") =>
    act(endpoint, async () => {
      list.replace((await gateway().webhookEndpoints.update(endpoint.id, { status })).endpoint);
      return `${endpoint.url} ${status === "enabled" ? "enabled" : "disabled: it receives no events until enabled"}.`;
    });

  return (
    <section aria-labelledby="page-title">
      <PageHead title="Webhooks">
        <button type="button" onClick={() => setOpen({ kind: "add" })}>
          Add Endpoint
        </button>
      </PageHead>
      <p class="subtitle muted">
        Alerts reach your systems here: each event is POSTed to every enabled endpoint that wants it, signed as Standard
        Webhooks.
      </p>
      <ErrorMessage error={list.error ?? call.error} />
      <Notice text={notice} />
      {list.items.length > 0 ? (
        <ListTable caption="Webhook endpoints, newest first" columns={COLUMNS}>
          {list.items.map((e) => (
            <tr>
              <th scope="row" data-label="URL" class="url">
                <code class="token">{e.url}</code>
                {e.description ? <span class="hint">{e.description}</span> : null}
              </th>
              <td data-label="Events">{eventsText(e.events)}</td>
              <td data-label="Status">
                <span class={`badge ${e.status === "enabled" ? "active" : "inactive"}`}>{statusText(e)}</span>
              </td>
              <td data-label="Created">{when(e.created_at)}</td>
              <td data-label="Actions">
                <div class="row-actions">
                  <button
                    type="button"
                    class="secondary"
                    disabled={call.busy && acting === e.id}
                    onClick={() => sendTest(e)}
                  >
                    Send Test Event
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    disabled={call.busy && acting === e.id}
                    onClick={() => setStatus(e, e.status === "enabled" ? "disabled" : "enabled")}
                  >
                    {e.status === "enabled" ? "Disable" : "Enable"}
                  </button>
                  <button type="button" class="secondary" onClick={() => setOpen({ kind: "rotate", endpoint: e })}>
                    Rotate Secret
                  </button>
                  <button type="button" class="secondary" onClick={() => setOpen({ kind: "deliveries", endpoint: e })}>
                    Deliveries
                  </button>
                  <button type="button" class="danger" onClick={() => setOpen({ kind: "delete", endpoint: e })}>
                    Delete
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading || list.error ? null : (
        <Empty>No webhook endpoints yet. Add one to receive alerts as signed HTTP requests.</Empty>
      )}
      {list.loading ? <Loading what="webhook endpoints" /> : null}
      <MoreButton what="endpoints" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "add" ? (
        <AddEndpoint
          onAdded={(added) => {
            list.reload();
            setOpen({ kind: "secret", title: "Webhook Endpoint Added", ...added });
          }}
          onClose={close}
        />
      ) : open?.kind === "secret" ? (
        <WebhookSecret title={open.title} endpoint={open.endpoint} secret={open.secret} onDone={close}>
          {open.note ? <p>{open.note}</p> : null}
        </WebhookSecret>
      ) : open?.kind === "rotate" ? (
        <Confirm
          title={`Rotate the secret of ${open.endpoint.url}`}
          message={`A new signing secret is made and shown once. ${OVERLAP}`}
          confirmLabel="Rotate Secret"
          onConfirm={async () => {
            const rotated = await gateway().webhookEndpoints.rotateSecret(open.endpoint.id);
            list.replace(rotated.endpoint);
            setOpen({ kind: "secret", title: "New Signing Secret", note: OVERLAP, ...rotated });
          }}
          onClose={close}
        />
      ) : open?.kind === "deliveries" ? (
        <Deliveries endpoint={open.endpoint} onClose={close} />
      ) : open?.kind === "delete" ? (
        <Confirm
          title={`Delete ${open.endpoint.url}`}
          confirmLabel="Delete"
          onConfirm={async () => {
            await gateway().webhookEndpoints.delete(open.endpoint.id);
            list.reload();
            close();
          }}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
