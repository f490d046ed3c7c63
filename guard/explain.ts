/**
 * The model judges, the rules explain. A rule's refusal counts only where the model shows an egress change
 * whose path holds the rule's resource; a change no rule explains is refused all the same, by the backstop
 * finding `egress-path-changed`, which names the resources the plan touches on that path (or the subnet).
 */
import { createHash } from "crypto";
import { EgressChange, Exit } from "./model";
import { cidrsOf, ipText, parseCidr, publicSpace } from "./model/ranges";
import { ResourceChange, actionOf } from "./plan";
import type { Finding } from "./review";
import { ruleById } from "./rules";
import { BACKSTOP } from "./rules-path";

const EVERYWHERE = publicSpace().flatMap(cidrsOf).join(",");

/** The smallest CIDR holding every range of `cidrs`, when the public part of it is exactly them. */
function blockWhosePublicPartIs(cidrs: readonly string[]): string | undefined {
  const ranges = cidrs.map((c) => parseCidr(c)!);
  const lo = Math.min(...ranges.map((r) => r[0]));
  const hi = Math.max(...ranges.map((r) => r[1]));
  for (let bits = 32; bits >= 0; bits--) {
    const block = parseCidr(`${ipText(lo)}/${bits}`)!;
    if (block[0] <= lo && hi <= block[1]) return publicSpace([block]).flatMap(cidrsOf).join(",") === cidrs.join(",") ? cidrsOf(block)[0] : undefined;
  }
  return undefined;
}

export function destinationsText(cidrs: readonly string[]): string {
  if (cidrs.join(",") === EVERYWHERE) return "every public destination";
  const block = cidrs.length > 1 ? blockWhosePublicPartIs(cidrs) : undefined;
  if (block) return `every public destination in ${block}`;
  return cidrs.length <= 4 ? cidrs.join(", ") : `${cidrs.slice(0, 4).join(", ")} and ${cidrs.length - 4} more range(s)`;
}

export function exitText(e: Exit): string {
  const path = e.path && e.path !== "ok" ? ` (${e.path})` : "";
  switch (e.kind) {
    case "nat":
      return `NAT ${e.device} from ${e.ips && e.ips.length > 0 ? e.ips.join(", ") : "no public address"}${path}`;
    case "nat-regional-automatic":
      return `regional NAT Gateway ${e.device} in automatic mode (AWS adds its addresses and zones outside any plan)${path}`;
    case "none":
      return e.path ?? "nowhere (no route)";
    case "unknown":
      return "a target known only after apply";
    default:
      return `${e.kind} ${e.device} (no egress IP)`;
  }
}

/** A finding's fingerprint: stable across runs of the same plan (rule, stack, address and reason). */
export const fingerprintOf = (rule: string, stack: string, address: string, reason: string) => createHash("sha256").update([rule, stack, address, reason].join("\0")).digest("hex").slice(0, 32);

/**
 * Findings for a plan (or drift) given the model's changes: the rules' refusals on the changed paths, and one
 * backstop per change they leave unexplained.
 */
export function explain(stack: string, changes: readonly EgressChange[], ruleFindings: readonly Finding[], planChanges: readonly ResourceChange[]): Finding[] {
  // A rule about something besides the path (a published list) speaks whether or not egress changes.
  const alone = ruleFindings.filter((f) => ruleById(f.rule).standsAlone);
  if (changes.length === 0) return alone;
  const onPath = new Set(changes.flatMap((c) => [...c.deps]));
  // A rule whose change AWS refuses whatever is allow-listed (an ordering AWS refuses) speaks whenever egress changes.
  const explained = ruleFindings.filter((f) => onPath.has(f.address) || !ruleById(f.rule).allowListCovers || ruleById(f.rule).standsAlone);
  const touched = new Map(planChanges.filter((c) => !["no-op", "read"].includes(actionOf(c.change.actions))).map((c) => [c.address, actionOf(c.change.actions)]));
  const grouped = new Map<string, { subnets: string[]; change: EgressChange; touching: string[] }>();
  for (const c of changes) {
    if (explained.some((f) => c.deps.has(f.address))) continue;
    const touching = [...c.deps].filter((d) => touched.has(d)).sort();
    const k = JSON.stringify([touching, c.destinations, c.from, c.to]);
    const g = grouped.get(k) ?? { subnets: [], change: c, touching };
    g.subnets.push(c.subnet);
    grouped.set(k, g);
  }
  const backstops = [...grouped.values()].map(({ subnets, change, touching }) => {
    const address = touching[0] ?? `subnet ${subnets[0]}`;
    const others = touching.slice(1);
    const reason =
      `${touching.length > 0 ? `(${touched.get(address)}) ` : ""}changes the egress of private subnet(s) ${subnets.sort().join(", ")}: ${destinationsText(change.destinations)} would leave through ${exitText(change.to)} instead of ${exitText(change.from)}` +
      `${others.length > 0 ? `; also on that path: ${others.map((o) => `${o} (${touched.get(o)})`).join(", ")}` : ""}.`;
    return { rule: BACKSTOP.id, verdict: "refuse" as const, stack, address, action: (touched.get(address) ?? "no-op") as Finding["action"], reason, fingerprint: fingerprintOf(BACKSTOP.id, stack, address, reason) };
  });
  return [...explained, ...backstops];
}
