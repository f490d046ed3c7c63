/**
 * The app's use of the egress guard (@fixed-egress/guard, through its public API only): the monthly cost of a
 * plan's NAT devices beside its counts, the config's allow-list, and the report in the format asked for.
 * Reviewing plans of any origin is the guard's own command: npx fixed-egress-guard review <plan.json>…
 */
import { Decision, PlanJson, StackReview, countsLine, decide, holdersOf, publicPartOf, renderMarkdown, resourcesOf, reviewJson, reviewSarif } from "@fixed-egress/guard";
import type { AppConfig } from "../stacks/config";
import { monthlyNatCost } from "./cost";

export const FORMATS = ["markdown", "json", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

/** Monthly list price of a stack's NAT devices before and after its plan, when prices for its region are known. */
export function monthlyCostOf(r: StackReview): { before: number; after: number } | undefined {
  return r.region ? monthlyNatCost(r.region, r.natDevices.before, r.natDevices.after) : undefined;
}

const usd = (n: number) => n.toFixed(2);

/** "Monthly cost: 55.11 → 104.02 USD (+48.91)", when the plan changes how many NAT devices or Elastic IPs there are. */
export function costHeadline(r: StackReview): string | undefined {
  const { before, after } = r.natDevices;
  const cost = monthlyCostOf(r);
  const devices = (n: typeof before) => n.gateways + n.instanceTypes.length;
  if (!cost || (devices(before) === devices(after) && before.eips === after.eips)) return undefined;
  const delta = cost.after - cost.before;
  return `Monthly cost: ${usd(cost.before)} → ${usd(cost.after)} USD (${delta >= 0 ? "+" : "-"}${usd(Math.abs(delta))})`;
}

const notes = (r: StackReview) => {
  const cost = costHeadline(r);
  return cost ? [`${cost}.`] : [];
};

/** One line per stack: its counts, and the cost change when there is one. */
export const headline = (r: StackReview) => [countsLine(r), ...notes(r)].join(" ");

/** The guard's verdict on a job's reviews: --allow-egress-change, or the config's allow-list. */
export const decideFor = (reviews: StackReview[], config: AppConfig, allowEgressChange: boolean): Decision =>
  decide(reviews, { allowEgressChange, allowListed: config.network.allowListedEgressIps });

/** The review as the job prints or keeps it. */
export function renderReview(reviews: StackReview[], decision: Decision, config: AppConfig, format: Format = "markdown"): string {
  const allowListed = config.network.allowListedEgressIps;
  if (format === "markdown") return renderMarkdown(reviews, { decision, allowListed, notes });
  if (format === "sarif") return `${reviewSarif(reviews, decision)}\n`;
  const costs = reviews.map(monthlyCostOf).filter((c): c is { before: number; after: number } => c !== undefined);
  const round = (n: number) => Math.round(n * 100) / 100;
  const monthlyCostUsd = { before: round(costs.reduce((s, c) => s + c.before, 0)), after: round(costs.reduce((s, c) => s + c.after, 0)) };
  return `${JSON.stringify({ ...reviewJson(reviews, decision, allowListed), monthlyCostUsd }, null, 2)}\n`;
}

/** The ids of a type's resources in the state the plan started from (this stack's own NAT Gateways, say). */
export const priorIds = (plan: PlanJson, type: string): string[] =>
  resourcesOf(plan.prior_state?.values?.root_module).filter((r) => r.type === type).map((r) => String(r.values?.id));

/**
 * A newer AMI published for a NAT instance: the value of the SSM parameter the instance was created from, when it
 * differs from the instance's own AMI. Said, never acted on: make nat-upgrade replaces the instances on purpose.
 */
export function newerAmiNotes(plan: PlanJson): string[] {
  const state = plan.prior_state?.values?.root_module;
  const published = resourcesOf(state, "data").filter((r) => r.type === "aws_ssm_parameter").map((r) => r.values?.insecure_value ?? r.values?.value);
  const latest = published.find((v): v is string => typeof v === "string" && v.startsWith("ami-"));
  if (!latest) return [];
  return resourcesOf(state)
    .filter((r) => r.type === "aws_instance" && typeof r.values?.ami === "string" && r.values.ami !== latest)
    .map((r) => `NAT instance ${String(r.values?.id)} runs ${String(r.values?.ami)}; ${latest} is published. It stays until make nat-upgrade replaces it (one zone at a time; the egress IP stays).`);
}

/**
 * The NAT devices (and Elastic IP associations) a plan removes while it gives their allocations to new ones:
 * AWS refuses the new association while the old one holds the address, and nothing in the plan orders the two,
 * so an allowed switch frees them first (one targeted destroy) and plans the rest again.
 */
export function heldByLeaving(plan: PlanJson): string[] {
  const changes = plan.resource_changes ?? [];
  const holders = holdersOf(plan);
  const allocations = (v: Record<string, unknown> | null | undefined) => [v?.allocation_id, ...(Array.isArray(v?.secondary_allocation_ids) ? v.secondary_allocation_ids : [])].filter((a): a is string => typeof a === "string");
  const leaving = new Set(changes.filter((c) => c.change.actions.includes("delete")).map((c) => c.address));
  const taken = changes.filter((c) => c.change.actions.includes("create")).flatMap((c) => allocations(c.change.after as Record<string, unknown>));
  return [...new Set(taken.map((a) => holders.get(a)).filter((h): h is string => h !== undefined && leaving.has(h)))];
}

/**
 * The destinations a review compares: the database's ranges when the config names public ones (a database
 * reached privately, over peering or a VPN, has no public exit to narrow to), else every public destination.
 */
export function destinationsOf(config: Pick<AppConfig, "lambda">): string[] | undefined {
  const cidrs = config.lambda.database.cidrs;
  return cidrs && publicPartOf(cidrs).length > 0 ? cidrs : undefined;
}
