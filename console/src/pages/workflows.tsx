import { useState } from "hono/jsx/dom";
import { api, messageOf, query } from "../api";
import { capitalize, when } from "../format";
import { can } from "../permissions";
import type { Me, Workflow } from "../types";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { CreateWorkflow, EditWorkflow, RekeyWorkflow } from "./workflow-forms";

type Open = { kind: "create" } | { kind: "edit"; workflow: Workflow } | { kind: "rekey"; workflow: Workflow } | null;

export function WorkflowsPage(props: { me: Me }) {
  const mayWrite = can(props.me, "workflows:write");
  const [open, setOpen] = useState<Open>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const list = usePaged<Workflow>(async (cursor) => {
    const page = await api<{ workflows: Workflow[]; next_cursor: string | null }>(
      `/admin/workflows${query({ limit: 25, cursor })}`,
    );
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
      const r = await api<{ workflow: Workflow }>(`/admin/workflows/${encodeURIComponent(w.id)}`, {
        method: "PATCH",
        body: { status },
      });
      list.replace(r.workflow);
    } catch (err) {
      setActionError(messageOf(err));
    }
  };

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
        <table class="cards">
          <thead>
            <tr>
              {["Name", "Workflow ID", "Client ID", "Allowed origins", "Created", "Last Used", "Status", "Actions"].map(
                (c) => (
                  <th scope="col">{c}</th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {list.items.map((w) => (
              <tr>
                <th scope="row" data-label="Name">
                  {w.name}
                </th>
                <td data-label="Workflow ID">
                  <code class="token">{w.id}</code>
                </td>
                <td data-label="Client ID">
                  <code class="token">{w.client_id}</code>
                </td>
                <td data-label="Allowed origins">{w.allowed_origins.length ? w.allowed_origins.join(", ") : "Any"}</td>
                <td data-label="Created">{when(w.created_at)}</td>
                <td data-label="Last Used">{when(w.last_used_at)}</td>
                <td data-label="Status">
                  <span class={`badge ${w.status}`}>{capitalize(w.status)}</span>
                </td>
                <td data-label="Actions">
                  {mayWrite ? (
                    <div class="row-actions">
                      <button type="button" class="secondary" onClick={() => setOpen({ kind: "edit", workflow: w })}>
                        Edit
                      </button>
                      <button type="button" class="secondary" onClick={() => setOpen({ kind: "rekey", workflow: w })}>
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
            ))}
          </tbody>
        </table>
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
