import { useEffect, useState } from "hono/jsx/dom";
import { api, query } from "../api";
import { can } from "../permissions";
import type { Me, Organization } from "../types";
import { InlineSelect } from "./inline-select";

/** Pages read for the filter at most: an operator with more organizations types IDs in the API. */
const MAX_PAGES = 10;

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
      let cursor: string | null = null;
      for (let i = 0; i < MAX_PAGES; i++) {
        const page: { organizations: Organization[]; next_cursor: string | null } = await api(
          `/admin/organizations${query({ limit: 100, cursor })}`,
        );
        all.push(...page.organizations);
        cursor = page.next_cursor;
        if (cursor === null) break;
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
