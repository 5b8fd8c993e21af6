import { useEffect, useState } from "hono/jsx/dom";
import { gateway, type Me, type Organization } from "../gateway";
import { can } from "../permissions";
import { InlineSelect } from "./inline-select";

/** Organizations read for the filter at most: an operator with more uses the API's organization_id. */
const MAX_ORGANIZATIONS = 1000;

/**
 * Every organization, for the operator's `Organization` filter; null for a token without
 * organizations:manage (a bound token sees its own organization only, so it gets no filter).
 */
export function useOrganizations(me: Me): Organization[] | null {
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  useEffect(() => {
    if (!can(me, "organizations:manage")) return;
    // No state set once the page is gone (see usePaged).
    let live = true;
    (async () => {
      const all: Organization[] = [];
      for await (const organization of gateway().organizations.list({ limit: 100 })) {
        all.push(organization);
        if (all.length >= MAX_ORGANIZATIONS) break;
      }
      return all.sort((a, b) => a.name.localeCompare(b.name));
    })().then(
      (found) => live && setOrganizations(found),
      () => live && setOrganizations(null),
    );
    return () => {
      live = false;
    };
  }, [me.actor]);
  return organizations;
}

/** A select labelled `Organization`: "" is every organization. */
export function OrganizationFilter(props: {
  organizations: Organization[] | null;
  value: string;
  onChange: (organizationId: string) => void;
}) {
  if (!props.organizations) return null;
  return (
    <InlineSelect label="Organization" value={props.value} onChange={props.onChange}>
      <option value="">All organizations</option>
      {props.organizations.map((o) => (
        <option value={o.id} selected={o.id === props.value}>
          {o.name}
        </option>
      ))}
    </InlineSelect>
  );
}
