/**
 * Rules on where the egress IPs are published: customer-managed prefix lists that partners reference in their
 * security groups. A list publishes egress when one of its /32 entries, before or after the plan, is an egress
 * IP before or after it. A list's inline `entry` blocks are read (a list of aws_ec2_managed_prefix_list_entry
 * resources is read entry by entry, by the warning); an entry known only after apply stands for one egress IP
 * known only after apply, never for a known one.
 */
import { Rule, gone } from "./change";
import { KNOWN_AFTER_APPLY } from "./egress";
import { Values, str } from "./plan";

interface Entries {
  /** the addresses of the /32 entries */
  readonly ips: string[];
  /** entries whose CIDR is known only after apply */
  readonly unknown: number;
}

const ipOf = (cidr: unknown): string | undefined => (typeof cidr === "string" && cidr.endsWith("/32") ? cidr.slice(0, -3) : undefined);

/** A list's inline entries (planned values leave out a CIDR known only after apply). */
function entriesOf(v: Values | undefined): Entries {
  const entries = Array.isArray(v?.entry) ? (v!.entry as Values[]) : [];
  return { ips: entries.map((e) => ipOf(e.cidr)).filter((ip): ip is string => ip !== undefined), unknown: entries.filter((e) => typeof e.cidr !== "string").length };
}

const known = (ips: readonly string[]) => ips.filter((ip) => ip !== KNOWN_AFTER_APPLY);

export const PUBLISHED_RULES: readonly Rule[] = [
  {
    id: "prefix-list-entry-removed",
    types: ["aws_ec2_managed_prefix_list", "aws_ec2_managed_prefix_list_entry"],
    verdict: "warn",
    title: "A prefix list entry removed for an address that is still an egress IP",
    why: "Partners who reference the list in their security groups stop admitting that address while traffic still leaves from it; the egress itself is unchanged, so this is said, not refused.",
    allowListCovers: true,
    standsAlone: true,
    check: (c, ctx) => {
      const after = ctx.egress.after;
      if (c.type === "aws_ec2_managed_prefix_list_entry") {
        const ip = ipOf(c.before?.cidr);
        if (!gone(c) || !ip || !after.includes(ip)) return undefined;
        return `would be ${c.action === "replace" ? "replaced (removed, then added again)" : "destroyed"}: ${ip}/32 is still an egress IP, and partners whose security groups reference list ${str(c.before?.prefix_list_id) ?? "unknown"} stop admitting it${c.action === "replace" ? " meanwhile" : ""}.`;
      }
      if (c.action !== "update" && !gone(c)) return undefined;
      const kept = c.action === "update" ? entriesOf(c.after).ips : [];
      const removed = entriesOf(c.before).ips.filter((ip) => !kept.includes(ip) && after.includes(ip));
      if (removed.length === 0) return undefined;
      return `would ${c.action === "update" ? "remove the entries" : `be ${c.action === "replace" ? "replaced, dropping the entries" : "destroyed with the entries"}`} ${removed.map((ip) => `${ip}/32`).join(", ")}: they are still egress IPs, which partners whose security groups reference the list stop admitting.`;
    },
  },
  {
    id: "prefix-list-differs",
    types: ["aws_ec2_managed_prefix_list"],
    verdict: "refuse",
    title: "A prefix list that publishes the egress IPs differs from them after the plan (an egress IP missing, or a former one still listed)",
    why: "Partners admit what the list says: a missing egress IP is refused at their end, a former one admits an address no longer ours. Allow-listing at the database does not fix the partners' list.",
    allowListCovers: false,
    standsAlone: true,
    check: (c, ctx) => {
      if (!c.after || c.action === "delete" || c.action === "forget" || c.action === "read" || c.unknown.entry === true) return undefined;
      const before = ctx.egress.before;
      const after = ctx.egress.after;
      const listed = entriesOf(c.after);
      const seen = [...entriesOf(c.before).ips, ...listed.ips];
      if (!seen.some((ip) => before.includes(ip) || after.includes(ip))) return undefined;
      const missing = known(after).filter((ip) => !listed.ips.includes(ip));
      const unknownIps = after.length - known(after).length;
      const stale = listed.ips.filter((ip) => before.includes(ip) && !after.includes(ip));
      const parts = [
        ...(missing.length > 0 ? [`lacks the egress IP(s) ${missing.join(", ")}`] : []),
        ...(unknownIps > listed.unknown ? [`has ${listed.unknown} entr${listed.unknown === 1 ? "y" : "ies"} known only after apply for ${unknownIps} egress IP(s) known only after apply`] : []),
        ...(stale.length > 0 ? [`still lists ${stale.map((ip) => `${ip}/32`).join(", ")}, no longer egress IP(s)`] : []),
      ];
      return parts.length > 0 ? `publishes the egress IPs and would differ from them: it ${parts.join("; it ")}, so partners who reference it admit the wrong addresses.` : undefined;
    },
  },
];
