/**
 * Reviews Terraform plans (`terraform show -json <planfile>`) for a pull request: per stack, counts and
 * each resource's action, and the egress IPs before and after. Fails, one sentence per offender, when an
 * Elastic IP or NAT Gateway would be destroyed or replaced, or a 0.0.0.0/0 route to a NAT Gateway would
 * point elsewhere, unless --allow-egress-change is given.
 * Usage: tsx scripts/plan-review.ts [--allow-egress-change] <stack>.plan.json…
 */
import { readFileSync } from "fs";
import { basename } from "path";
import { fail } from "./cli";

type Action = "create" | "update" | "delete" | "replace" | "read" | "no-op";

interface ResourceChange {
  address: string;
  type: string;
  mode: string;
  change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
}

interface PlanJson {
  format_version: string;
  resource_changes?: ResourceChange[];
  output_changes?: Record<string, { before?: unknown; after?: unknown; after_unknown?: unknown }>;
}

export interface StackReview {
  readonly stack: string;
  readonly actions: { address: string; action: Action }[];
  readonly counts: Record<"add" | "change" | "replace" | "destroy", number>;
  readonly egressBefore: string[];
  readonly egressAfter: string[];
  readonly offenders: string[];
}

export class PlanReviewError extends Error {}

function actionOf(actions: string[]): Action {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  return (actions[0] ?? "no-op") as Action;
}

/** Parses a plan JSON text; throws a PlanReviewError in one sentence when it is not one. */
export function parsePlan(text: string, file: string): PlanJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PlanReviewError(`${file} is not JSON (${(err as Error).message}); give the output of \`terraform show -json <planfile>\``);
  }
  const plan = data as Partial<PlanJson> & { planned_values?: unknown };
  if (typeof plan !== "object" || plan === null || typeof plan.format_version !== "string" || (!("resource_changes" in plan) && !("planned_values" in plan))) {
    throw new PlanReviewError(`${file} is JSON but not a Terraform plan (no format_version/resource_changes); give the output of \`terraform show -json <planfile>\``);
  }
  return plan as PlanJson;
}

const ipList = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : "known after apply")) : []);

/** The egress_ips output after the plan; unknown elements (new Elastic IPs) read "known after apply". */
function ipsAfter(e: { after?: unknown; after_unknown?: unknown } | undefined): string[] {
  if (!e) return [];
  if (e.after_unknown === true) return ["known after apply"];
  const unknown = Array.isArray(e.after_unknown) ? e.after_unknown : [];
  return ipList(e.after).map((ip, i) => (unknown[i] === true ? "known after apply" : ip));
}

export function reviewPlan(plan: PlanJson, stack: string): StackReview {
  const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
  const actions = changes.map((c) => ({ address: c.address, action: actionOf(c.change.actions) })).filter((a) => a.action !== "no-op" && a.action !== "read");
  const count = (a: Action) => actions.filter((x) => x.action === a).length;
  const counts = { add: count("create"), change: count("update"), replace: count("replace"), destroy: count("delete") };

  const offenders: string[] = [];
  for (const c of changes) {
    const action = actionOf(c.change.actions);
    const gone = action === "delete" || action === "replace";
    const verb = action === "replace" ? "replaced" : "destroyed";
    if (c.type === "aws_eip" && gone) {
      const ip = (c.change.before?.public_ip as string | undefined) ?? "unknown";
      offenders.push(`${c.address} would be ${verb}: its public IP ${ip} is an egress IP the database allow-lists.`);
    } else if (c.type === "aws_nat_gateway" && gone) {
      const before = c.change.before?.allocation_id as string | undefined;
      const after = c.change.after?.allocation_id as string | undefined;
      const keeps = action === "replace" && before !== undefined && before === after;
      offenders.push(
        keeps
          ? `${c.address} would be replaced: it keeps Elastic IP allocation ${before}, but egress through it stops until the new NAT Gateway is up.`
          : `${c.address} would be ${verb}: egress through it stops, and its address (allocation ${before ?? "unknown"}) would no longer be the egress IP.`,
      );
    } else if (c.type === "aws_route" && c.change.before?.destination_cidr_block === "0.0.0.0/0" && c.change.before?.nat_gateway_id) {
      const before = c.change.before.nat_gateway_id as string;
      const after = c.change.after?.nat_gateway_id;
      const unknown = (c.change.after_unknown as Record<string, unknown> | undefined)?.nat_gateway_id === true;
      if (action === "delete") offenders.push(`${c.address} would be destroyed: the private subnets behind it lose the route to NAT Gateway ${before}.`);
      else if (unknown || (action !== "no-op" && after !== before)) {
        offenders.push(`${c.address} would point 0.0.0.0/0 at ${unknown ? "a NAT Gateway known only after apply" : String(after)} instead of ${before}: these subnets' egress moves to another NAT Gateway.`);
      }
    }
  }

  const egress = plan.output_changes?.egress_ips;
  return { stack, actions, counts, egressBefore: ipList(egress?.before), egressAfter: ipsAfter(egress), offenders };
}

export function renderMarkdown(reviews: StackReview[], allowed: boolean): string {
  const out: string[] = ["## Terraform plan review", ""];
  for (const r of reviews) {
    out.push(`### ${r.stack}`, "");
    out.push(`${r.counts.add} to add, ${r.counts.change} to change, ${r.counts.replace} to replace, ${r.counts.destroy} to destroy.`, "");
    if (r.actions.length > 0) {
      out.push("| action | resource |", "| --- | --- |");
      for (const a of r.actions) out.push(`| ${a.action} | \`${a.address}\` |`);
      out.push("");
    }
    if (r.egressBefore.length > 0 || r.egressAfter.length > 0) {
      out.push("**Egress IPs**", "");
      out.push(`- today: ${r.egressBefore.length > 0 ? r.egressBefore.join(", ") : "none (first deploy)"}`);
      out.push(`- after this plan: ${r.egressAfter.length > 0 ? r.egressAfter.join(", ") : "none"}`, "");
    }
  }
  const offenders = reviews.flatMap((r) => r.offenders);
  if (offenders.length > 0) {
    out.push(allowed ? "**The egress path changes (allowed by --allow-egress-change):**" : "**The egress path changes: this plan is refused.** The database admits only allow-listed addresses. Re-run with `--allow-egress-change` when this is intended and any new address is allow-listed.", "");
    for (const o of offenders) out.push(`- ${o}`);
    out.push("");
  } else {
    out.push("No egress IP changes.", "");
  }
  return out.join("\n");
}

/** Stack name from a file name such as `.run/plans/demo-network.plan.json`. */
export const stackOf = (file: string) => basename(file).replace(/\.plan\.json$|\.json$/, "");

export function main(argv: string[]): number {
  const allowed = argv.includes("--allow-egress-change");
  const files = argv.filter((a) => a !== "--allow-egress-change");
  const unknown = files.filter((f) => f.startsWith("--"));
  if (unknown.length > 0) fail(`unknown option ${unknown[0]}; the only option is --allow-egress-change`, 2);
  if (files.length === 0) fail("give one or more plan JSON files (terraform show -json <planfile> > <stack>.plan.json)", 2);
  const reviews: StackReview[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      return fail(`cannot read ${file} (${(err as NodeJS.ErrnoException).code})`, 2);
    }
    try {
      reviews.push(reviewPlan(parsePlan(text, file), stackOf(file)));
    } catch (err) {
      if (err instanceof PlanReviewError) return fail(err.message, 2);
      throw err;
    }
  }
  process.stdout.write(renderMarkdown(reviews, allowed));
  const offenders = reviews.flatMap((r) => r.offenders);
  if (offenders.length > 0 && !allowed) {
    process.stderr.write(offenders.map((o) => `plan-review: ${o}`).join("\n") + "\n");
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
