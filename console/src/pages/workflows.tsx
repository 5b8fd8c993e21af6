import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Me, type Workflow } from "../gateway";
import { capitalize, when } from "../format";
import { can } from "../permissions";
import { useDirectory } from "../ui/directory";
import { ListTable, NameCells } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { NamedId } from "../ui/named-id";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { CreateWorkflow, EditWorkflow, RekeyWorkflow } from "./workflow-forms";

type Open = { kind: "create" } | { kind: "edit"; workflow: Workflow } | { kind: "rekey"; workflow: Workflow } | null;

const COLUMNS = ["Name", "Workflow ID", "Client", "Allowed origins", "Created", "Last Used", "Status", "Actions"];

export function WorkflowsPage(props: { me: Me }) {
  const mayWrite = can(props.me, "workflows:write");
  const directory = useDirectory(props.me, ["clients"]);
  const [open, setOpen] = useState<Open>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const list = usePaged<Workflow>(async (cursor) => {
    const page = await gateway().workflows.page({ limit: 25, cursor: cursor ?? undefined });
    return { items: page.workflows, next: page.next_cursor };
  }, "workflows");
  const close = () => setOpen(null);
  const saved = (w: Workflow) => {
    list.replace(w);
    close();
  };
  const setStatus = async (w: Workflow, status: Workflow["status"]) => {
    setActionError(null);
    try {
      list.replace((await gateway().workflows.update(w.id, { status })).workflow);
    } catch (err) {
      setActionError(messageOf(err));
    }
  };
  const clientOf = (w: Workflow) => directory.clients.find((c) => c.id === w.client_id) ?? null;

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Workflows
        </h1>
        {mayWrite ? (
          <button type="button" onClick={() => setOpen({ kind: "create" })}>
            Create Workflow
          </button>
        ) : null}
      </div>
      <p class="muted">
        A workflow lets a browser or mobile SDK call the gateway with the client ID and workflow ID only: no secret
        travels.
      </p>
      <ErrorMessage error={list.error ?? actionError} />
      {list.items.length > 0 ? (
        <ListTable caption="Workflows, newest first" columns={COLUMNS}>
          {list.items.map((w) => {
            const client = clientOf(w);
            // A revoked client refuses every change to its workflows (409): none is offered.
            const revoked = client?.status === "revoked";
            return (
              <tr>
                <NameCells name={w.name} id={w.id} idLabel="Workflow ID" />
                <td data-label="Client">
                  <NamedId id={w.client_id} name={client?.name ?? null} />
                  {revoked ? <span class="badge revoked">Client revoked</span> : null}
                </td>
                <td data-label="Allowed origins">{w.allowed_origins.length ? w.allowed_origins.join(", ") : "Any"}</td>
                <td data-label="Created">{when(w.created_at)}</td>
                <td data-label="Last Used">{when(w.last_used_at)}</td>
                <td data-label="Status">
                  <span class={`badge ${w.status}`}>{capitalize(w.status)}</span>
                  {w.needs_rekey && !revoked ? (
                    <span class="badge warn" title="Its token was minted from a secret that has been replaced">
                      Needs re-key
                    </span>
                  ) : null}
                </td>
                <td data-label="Actions">
                  {mayWrite && !revoked ? (
                    <div class="row-actions">
                      <button type="button" class="secondary" onClick={() => setOpen({ kind: "edit", workflow: w })}>
                        Edit
                      </button>
                      <button
                        type="button"
                        class={w.needs_rekey ? "" : "secondary"}
                        onClick={() => setOpen({ kind: "rekey", workflow: w })}
                      >
                        Re-key
                      </button>
                      {w.status === "active" ? (
                        <button type="button" class="danger" onClick={() => setStatus(w, "inactive")}>
                          Deactivate
                        </button>
                      ) : (
                        <button type="button" class="secondary" onClick={() => setStatus(w, "active")}>
                          Activate
                        </button>
                      )}
                    </div>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </ListTable>
      ) : list.loading || list.error ? null : (
        <Empty>No workflows yet.</Empty>
      )}
      {list.loading ? <Loading what="workflows" /> : null}
      <MoreButton what="workflows" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "create" ? (
        <CreateWorkflow
          onCreated={() => {
            list.reload();
            close();
          }}
          onClose={close}
        />
      ) : open?.kind === "edit" ? (
        <EditWorkflow workflow={open.workflow} onSaved={saved} onClose={close} />
      ) : open?.kind === "rekey" ? (
        <RekeyWorkflow workflow={open.workflow} onSaved={saved} onClose={close} />
      ) : null}
    </section>
  );
}
