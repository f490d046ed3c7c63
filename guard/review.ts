/** A plan's review: its changes read through the rule table, the egress IPs before and after, and the verdict. */
import { readFileSync } from "fs";
import { basename } from "path";
import { egressAfter, egressBefore, KNOWN_AFTER_APPLY } from "./egress";
import { explain, fingerprintOf } from "./explain";
import { EgressChange, EgressModel, comparePlan, depsOf, isPrivate } from "./model";
import { Action, GuardInputError, PlanJson, ResourceChange, actionOf, readPlan, regionOf, resourcesOf, same, str, strings } from "./plan";
import { Change, RULES, Rule, RuleContext, Verdict } from "./rules";
import { Topology, managed, topologyOf } from "./topology";

export interface Finding {
  readonly rule: string;
  readonly verdict: Verdict;
  readonly stack: string;
  readonly address: string;
  readonly action: Action;
  /** the sentence that follows the address */
  readonly reason: string;
  /** stable across runs of the same plan: rule, stack, address and reason */
  readonly fingerprint: string;
}

export interface NatCount {
  readonly gateways: number;
  readonly instanceTypes: string[];
  readonly eips: number;
}

export interface StackReview {
  readonly stack: string;
  /** the plan file it was read from, when it came from a file */
  readonly file?: string;
  /** `changed`: for an update, the attributes it changes (tags_all, which follows tags and the provider's default tags, left out) */
  readonly actions: { address: string; action: Action; importing: boolean; changed?: string[] }[];
  readonly counts: Record<"add" | "change" | "replace" | "destroy" | "import" | "forget", number>;
  /** the egress model's differences: each private subnet's public destinations whose exit changes */
  readonly egressChanges: EgressChange[];
  readonly egressBefore: string[];
  readonly egressAfter: string[];
  /** refusals */
  readonly findings: Finding[];
  /** said, not refused */
  readonly warnings: Finding[];
  /** NAT Gateways, NAT instances (by type) and Elastic IPs before and after: the facts a cost estimate reads */
  readonly natDevices: { before: NatCount; after: NatCount };
  readonly region?: string;
}

const toChange = (c: ResourceChange): Change => ({
  address: c.address,
  type: c.type,
  action: actionOf(c.change.actions),
  before: c.change.before ?? undefined,
  after: c.change.after ?? undefined,
  createFirst: c.change.actions[0] === "create" && c.change.actions.includes("delete"),
  unknown: (c.change.after_unknown ?? {}) as Record<string, unknown>,
});


/** Elastic IP allocation id → address of the NAT Gateway or association holding it in the plan's prior state. */
export function holdersOf(plan: PlanJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resourcesOf(plan.prior_state?.values?.root_module)) {
    const v = r.values ?? {};
    if (r.type === "aws_nat_gateway") [str(v.allocation_id), ...strings(v.secondary_allocation_ids)].forEach((a) => a && out.set(a, r.address));
    if (r.type === "aws_eip_association" && str(v.allocation_id)) out.set(String(v.allocation_id), r.address);
  }
  return out;
}

/**
 * The findings and warnings of `changes` (a plan's resource_changes, or a refresh-only plan's resource_drift).
 * `ips`: the egress IPs before and after the changes (default: the plan's prior state and planned values).
 */
export function egressFindings(
  plan: PlanJson,
  stack: string,
  changes: readonly ResourceChange[] = plan.resource_changes ?? [],
  topology: Topology = topologyOf(plan),
  model: EgressModel = comparePlan(plan).before,
  ips?: RuleContext["egress"],
): { findings: Finding[]; warnings: Finding[] } {
  let onPath: Set<string> | undefined;
  let egress: RuleContext["egress"] | undefined = ips;
  const ctx: RuleContext = {
    topology,
    holders: holdersOf(plan),
    // Read only by the rules of forgotten resources: computed when one asks.
    get onPath() {
      return (onPath ??= new Set([...model.values()].filter(isPrivate).flatMap((m) => [...depsOf(m)])));
    },
    // Read only by the rules of published egress IPs.
    get egress() {
      return (egress ??= { before: egressBefore(plan, topology), after: egressAfter(plan, topology) });
    },
  };
  const byType = new Map<string, Rule[]>();
  const rulesFor = (type: string) => byType.get(type) ?? byType.set(type, RULES.filter((r) => r.types.includes(type) || r.types.includes("*"))).get(type)!;
  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  for (const change of managed(changes).map(toChange)) {
    // A forget leaves the resource in AWS as it is: only the rules for every type (the forget rule) read it.
    for (const rule of rulesFor(change.type).filter((r) => change.action !== "forget" || r.types.includes("*"))) {
      const said = rule.check(change, ctx);
      for (const reason of said === undefined ? [] : Array.isArray(said) ? said : [said]) {
        const f = { rule: rule.id, verdict: rule.verdict, stack, address: change.address, action: change.action, reason, fingerprint: fingerprintOf(rule.id, stack, change.address, reason) };
        (rule.verdict === "refuse" ? findings : warnings).push(f);
      }
    }
  }
  return { findings, warnings };
}

/** The attributes an update changes, known or known only after apply; tags_all follows tags and the provider's default tags. */
function changedKeys(c: ResourceChange): string[] {
  const before = c.change.before ?? {};
  const after = c.change.after ?? {};
  const unknown = (c.change.after_unknown ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((k) => k !== "tags_all" && (unknown[k] === true || !same(before[k], after[k]))).sort();
}

function natCount(m: Parameters<typeof resourcesOf>[0]): NatCount {
  const rs = resourcesOf(m);
  return {
    gateways: rs.filter((r) => r.type === "aws_nat_gateway").length,
    // Instances that forward: source/destination check off, or on an interface of their own (a NAT instance's).
    instanceTypes: rs
      .filter((r) => r.type === "aws_instance" && (r.values?.source_dest_check === false || (Array.isArray(r.values?.network_interface) && r.values!.network_interface.length > 0)))
      .map((r) => String(r.values?.instance_type)),
    eips: rs.filter((r) => r.type === "aws_eip").length,
  };
}

export interface ReviewOptions {
  /** compare only these destinations (IPv4 addresses or CIDRs; the database's), not every public one */
  readonly destinations?: readonly string[];
}

export function reviewPlan(plan: PlanJson, stack: string, file?: string, opts: ReviewOptions = {}): StackReview {
  const changes = managed(plan.resource_changes ?? []);
  const actions = changes
    .map((c) => {
      const action = actionOf(c.change.actions);
      return { address: c.address, action, importing: Boolean(c.change.importing), ...(action === "update" ? { changed: changedKeys(c) } : {}) };
    })
    .filter((a) => (a.action !== "no-op" && a.action !== "read") || a.importing);
  const n = (a: Action) => actions.filter((x) => x.action === a).length;
  const counts = { add: n("create"), change: n("update"), replace: n("replace"), destroy: n("delete"), import: actions.filter((a) => a.importing).length, forget: n("forget") };
  const topology = topologyOf(plan);
  const egress = comparePlan(plan, opts.destinations);
  const rules = egressFindings(plan, stack, plan.resource_changes ?? [], topology, egress.before);
  const findings = explain(stack, egress.changes, rules.findings, plan.resource_changes ?? []);
  const warnings = rules.warnings;
  // Before its first apply an adopted network's imported resources are not in the prior state yet: their `before` is today.
  const importedIps = changes.filter((c) => c.change.importing && c.type === "aws_eip").map((c) => str(c.change.before?.public_ip)).filter((ip): ip is string => ip !== undefined);
  const before = egressBefore(plan, topology);
  const region = regionOf(plan);
  return {
    stack,
    ...(file ? { file } : {}),
    actions,
    counts,
    egressBefore: before.length > 0 ? before : [...new Set(importedIps)].sort(),
    egressAfter: egressAfter(plan, topology),
    egressChanges: egress.changes,
    findings,
    warnings,
    natDevices: { before: natCount(plan.prior_state?.values?.root_module), after: natCount(plan.planned_values?.root_module) },
    ...(region ? { region } : {}),
  };
}

/** Stack name from a file name: `demo-network.plan.json` → `demo-network`. */
export const stackOf = (file: string) => basename(file).replace(/\.plan\.json$|\.json$/, "");

/** Reads and reviews plan files; a file that cannot be reviewed throws a GuardInputError. */
export function reviewFiles(files: readonly string[], opts: ReviewOptions = {}): StackReview[] {
  return files.map((file) => reviewPlan(readPlan(file), stackOf(file), file, opts));
}

export interface VerdictOptions {
  /** --allow-egress-change: the egress change is intended */
  readonly allowEgressChange?: boolean;
  /** the IPs the database admits; a plan whose egress IPs after apply are all known and all in it passes */
  readonly allowListed?: readonly string[];
}

export interface Decision {
  readonly refused: boolean;
  /** why it passes despite findings, or why it is refused */
  readonly because: string;
  /** egress IPs after the plan that the allow-list does not hold (or that are known only after apply) */
  readonly outsideAllowList: string[];
}

/** Passed or refused: refused when a refusing rule matched, unless the change is allowed or every egress IP after it is allow-listed. */
export function decide(reviews: readonly StackReview[], opts: VerdictOptions = {}): Decision {
  const findings = reviews.flatMap((r) => r.findings);
  const after = reviews.flatMap((r) => r.egressAfter);
  const outside = opts.allowListed ? after.filter((ip) => ip === KNOWN_AFTER_APPLY || !opts.allowListed!.includes(ip)) : [];
  if (findings.length === 0) return { refused: false, because: "no change of the egress path", outsideAllowList: outside };
  if (opts.allowEgressChange) return { refused: false, because: "allowed by --allow-egress-change", outsideAllowList: outside };
  if (opts.allowListed) {
    const uncovered = findings.filter((f) => !RULES.find((r) => r.id === f.rule)!.allowListCovers);
    if (outside.length === 0 && uncovered.length === 0) return { refused: false, because: "every egress IP after this plan is allow-listed", outsideAllowList: [] };
    if (outside.length > 0) return { refused: true, because: `egress IPs after this plan that the allow-list does not hold: ${outside.join(", ")}`, outsideAllowList: outside };
    return { refused: true, because: "the change harms egress whatever is allow-listed (see the rule)", outsideAllowList: outside };
  }
  return { refused: true, because: "the egress path changes", outsideAllowList: outside };
}

/** Reads an allow-list file (`parseAllowList`); a file that cannot be read throws a GuardInputError naming it. */
export function readAllowList(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new GuardInputError(`cannot read the allow-list ${file} (${(err as NodeJS.ErrnoException).code})`);
  }
  return parseAllowList(text, file);
}

/** Reads an allow-list file: one IPv4 address a line (# comments) or a JSON array of them. */
export function parseAllowList(text: string, file: string): string[] {
  const trimmed = text.trim();
  let items: unknown[];
  if (trimmed.startsWith("[")) {
    try {
      items = JSON.parse(trimmed) as unknown[];
    } catch (err) {
      throw new GuardInputError(`${file}: not a JSON array (${(err as Error).message}); give one IP a line or a JSON array of IPs`);
    }
    if (!Array.isArray(items)) throw new GuardInputError(`${file}: not a JSON array; give one IP a line or a JSON array of IPs`);
  } else {
    items = trimmed.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter((l) => l !== "");
  }
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const bad = items.find((x) => typeof x !== "string" || !ipv4.test(x));
  if (bad !== undefined) throw new GuardInputError(`${file}: ${JSON.stringify(bad)} is not an IPv4 address; list the addresses the database admits, one a line (no CIDR ranges)`);
  if (items.length === 0) throw new GuardInputError(`${file}: the allow-list is empty; list the addresses the database admits`);
  return items as string[];
}
