import { useEffect, useState } from "hono/jsx/dom";
import { gatewayAs, whenUnauthorized, type Me } from "./gateway";
import { can, type Permission } from "./permissions";
import { navigate, useRoute } from "./router";
import { session } from "./session";
import { AlertsPage } from "./pages/alerts";
import { AuditPage } from "./pages/audit";
import { ClientsPage } from "./pages/clients";
import { OrganizationsPage } from "./pages/organizations";
import { OverviewPage } from "./pages/overview";
import { SignIn } from "./pages/sign-in";
import { TokensPage } from "./pages/tokens";
import { UsagePage } from "./pages/usage";
import { WebhooksPage } from "./pages/webhooks";
import { WorkflowsPage } from "./pages/workflows";
import { Loading } from "./ui/status";

// The first link the token may follow is where the console opens: Overview when it reads usage.
const NAV: { path: string; label: string; permission: Permission }[] = [
  { path: "/overview", label: "Overview", permission: "usage:read" },
  { path: "/clients", label: "Clients", permission: "clients:read" },
  { path: "/workflows", label: "Workflows", permission: "workflows:read" },
  { path: "/alerts", label: "Alerts", permission: "alerts:read" },
  { path: "/webhooks", label: "Webhooks", permission: "webhooks:manage" },
  { path: "/audit-log", label: "Audit log", permission: "audit:read" },
  { path: "/admin-tokens", label: "Admin tokens", permission: "tokens:manage" },
  { path: "/organizations", label: "Organizations", permission: "organizations:manage" },
];

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [restoring, setRestoring] = useState(session.token() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = (message: string | null = null) => {
    session.forget();
    setMe(null);
    setNotice(message);
  };

  useEffect(() => {
    whenUnauthorized(() => signOut("Your admin token is no longer accepted. Sign in again."));
    const token = session.token();
    if (token === null) return;
    gatewayAs(token)
      .me()
      .then(
        (found) => {
          setMe(found);
          setRestoring(false);
        },
        () => {
          signOut();
          setRestoring(false);
        },
      );
  }, []);

  if (restoring) return <Loading what="the console" />;
  if (!me) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(token, found) => {
          session.save(token);
          setNotice(null);
          setMe(found);
        }}
      />
    );
  }
  return <Shell me={me} onSignOut={() => signOut()} />;
}

function Shell(props: { me: Me; onSignOut: () => void }) {
  const route = useRoute();
  const allowed = NAV.filter((n) => can(props.me, n.permission));
  const section = "/" + (route.split("/")[1] ?? "");
  const current = allowed.find((n) => n.path === section);
  const usage = can(props.me, "usage:read") ? /^\/clients\/([^/]+)\/usage$/.exec(route) : null;

  useEffect(() => {
    // A client's usage page needs usage:read only (the Overview links to it), not clients:read.
    if (!current && !usage && allowed[0]) navigate(allowed[0].path);
  }, [route]);
  useEffect(() => {
    // After navigation, move focus to the new page's heading, as a page load would.
    document.getElementById("page-title")?.focus();
  }, [route]);

  let page = null;
  if (usage) page = <UsagePage clientId={decodeURIComponent(usage[1]!)} />;
  else if (current?.path === "/overview") page = <OverviewPage me={props.me} />;
  else if (current?.path === "/clients") page = <ClientsPage me={props.me} />;
  else if (current?.path === "/workflows") page = <WorkflowsPage me={props.me} />;
  else if (current?.path === "/alerts") page = <AlertsPage me={props.me} />;
  else if (current?.path === "/webhooks") page = <WebhooksPage me={props.me} />;
  else if (current?.path === "/audit-log") page = <AuditPage me={props.me} />;
  else if (current?.path === "/admin-tokens") page = <TokensPage me={props.me} />;
  else if (current?.path === "/organizations") page = <OrganizationsPage me={props.me} />;

  return (
    <>
      <a class="skip" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Nafsi Gateway</span>
        <nav aria-label="Main">
          <ul>
            {allowed.map((n) => (
              <li>
                <a href={`#${n.path}`} aria-current={n === current ? "page" : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="muted">
            Signed in as <strong class="name">{props.me.name}</strong>
            {props.me.organization ? (
              <>
                {" "}
                for <strong class="name">{props.me.organization.name}</strong>
              </>
            ) : null}
          </span>
          <button type="button" class="secondary" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {page ?? (allowed.length === 0 ? <p>This token has no permission that the console can show.</p> : null)}
      </main>
    </>
  );
}

// The routes use the hash, so the skip link moves focus itself instead of changing it.
function skipToMain(event: Event) {
  event.preventDefault();
  document.getElementById("page-title")?.focus();
}
