/**
 * Reviews Terraform plans (`terraform show -json <planfile>`) before they are applied or merged: per stack,
 * counts and each resource's action, the egress IPs before and after, the monthly cost when the number of
 * NAT devices changes, and every change that would cut or move the egress path, one sentence each.
 * Refuses (exit 1) when there is one, unless --allow-egress-change is given.
 * Usage: tsx scripts/plan-review.ts [--allow-egress-change] [--format markdown|json] <stack>.plan.json…
 */
import { readFileSync } from "fs";
import { basename } from "path";
import { fail } from "./cli";
import { monthlyNatCost } from "./cost";

type Action = "create" | "update" | "delete" | "replace" | "read" | "no-op";
type Values = Record<string, unknown>;

export interface ResourceChange {
  address: string;
  type: string;
  mode: string;
  change: { actions: string[]; before?: Values | null; after?: Values | null; after_unknown?: Values; importing?: unknown };
}

interface StateResource {
  address: string;
  type: string;
  mode?: string;
  values?: Values;
}
interface StateModule {
  resources?: StateResource[];
  child_modules?: StateModule[];
}

export interface PlanJson {
  format_version: string;
  resource_changes?: ResourceChange[];
  resource_drift?: ResourceChange[];
  output_changes?: Record<string, { before?: unknown; after?: unknown; after_unknown?: unknown }>;
  prior_state?: { values?: { root_module?: StateModule } };
  planned_values?: { root_module?: StateModule };
  configuration?: {
    provider_config?: Record<string, { expressions?: { region?: { constant_value?: string } } }>;
    root_module?: { resources?: { address: string; expressions?: Record<string, unknown> }[] };
  };
}

/** One change that cuts or moves the egress path. `reason` follows the address in a sentence. */
export interface Finding {
  readonly address: string;
  readonly action: Action;
  readonly reason: string;
}

export interface StackReview {
  readonly stack: string;
  /** `changed`: for an update, the attributes it changes (tags_all, which follows tags and the default tags, left out) */
  readonly actions: { address: string; action: Action; importing: boolean; changed?: string[] }[];
  readonly counts: Record<"add" | "change" | "replace" | "destroy" | "import", number>;
  readonly egressBefore: string[];
  readonly egressAfter: string[];
  readonly findings: Finding[];
  /** changes that pause egress without changing the IP (a NAT instance replaced): said, not refused */
  readonly warnings: Finding[];
  /** the findings as sentences, address first */
  readonly offenders: string[];
  /** monthly list price of the stack's NAT devices before and after, when prices for its region are known */
  readonly monthlyCostUsd?: { before: number; after: number };
  /** NAT devices (gateways and instances) and Elastic IPs before and after (the cost headline shows only when one changes) */
  readonly natDevices: { before: number; after: number; eipsBefore: number; eipsAfter: number };
}

export class PlanReviewError extends Error {}

export function actionOf(actions: string[]): Action {
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

const resourcesOf = (m: StateModule | undefined): StateResource[] =>
  m ? [...(m.resources ?? []).filter((r) => r.mode !== "data"), ...(m.child_modules ?? []).flatMap(resourcesOf)] : [];

/** The ids of a type's resources in the state the plan started from (this stack's own NAT Gateways, say). */
export const priorIds = (plan: PlanJson, type: string): string[] =>
  resourcesOf(plan.prior_state?.values?.root_module).filter((r) => r.type === type).map((r) => String(r.values?.id));

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The NAT a default route targets: a NAT Gateway or a NAT instance's network interface. */
const natTarget = (r: Values | null | undefined): string | undefined => str(r?.nat_gateway_id) ?? str(r?.network_interface_id);

/** The inline 0.0.0.0/0 route of an aws_route_table / aws_default_route_table body, if any. */
const inlineDefault = (table: Values | null | undefined): Values | undefined =>
  (Array.isArray(table?.route) ? (table!.route as Values[]) : []).find((r) => r.cidr_block === "0.0.0.0/0");

/**
 * Which route tables and subnets are private, from what exists before the plan: a table whose 0.0.0.0/0
 * (an aws_route, or an inline route) goes to a NAT, and the subnets associated with such a table. This holds
 * for every topology (single, perAz, existing VPC, adopted tables) and never looks at construct paths.
 */
export function privateTopology(plan: PlanJson): { tables: Set<string>; subnets: Set<string>; natInterfaces: Set<string> } {
  const before: { type: string; values: Values }[] = [
    ...resourcesOf(plan.prior_state?.values?.root_module).map((r) => ({ type: r.type, values: r.values ?? {} })),
    ...[...(plan.resource_changes ?? []), ...(plan.resource_drift ?? [])]
      .filter((c) => c.mode === "managed" && c.change.before)
      .map((c) => ({ type: c.type, values: c.change.before! })),
  ];
  const tables = new Set<string>();
  const natInterfaces = new Set<string>();
  for (const { type, values } of before) {
    const route = type === "aws_route" && values.destination_cidr_block === "0.0.0.0/0" ? values : (type === "aws_route_table" || type === "aws_default_route_table") ? inlineDefault(values) : undefined;
    if (!natTarget(route)) continue;
    tables.add(String(type === "aws_route" ? values.route_table_id : values.id));
    if (str(route!.network_interface_id)) natInterfaces.add(String(route!.network_interface_id));
  }
  const subnets = new Set<string>();
  for (const { type, values } of before) {
    if (type === "aws_route_table_association" && tables.has(String(values.route_table_id)) && str(values.subnet_id)) subnets.add(String(values.subnet_id));
  }
  return { tables, subnets, natInterfaces };
}

/**
 * Every change that cuts or moves egress, as findings: of the plan's changes, or of other changes read
 * against the same plan (a refresh-only plan's resource_drift).
 */
export function egressFindings(plan: PlanJson, changes: ResourceChange[] = plan.resource_changes ?? [], warnings: Finding[] = []): Finding[] {
  const { tables, subnets, natInterfaces } = privateTopology(plan);
  const findings: Finding[] = [];
  const add = (address: string, action: Action, reason: string) => findings.push({ address, action, reason });
  for (const c of changes.filter((x) => x.mode === "managed")) {
    const action = actionOf(c.change.actions);
    const before = c.change.before ?? undefined;
    const after = c.change.after ?? undefined;
    const afterUnknown = (c.change.after_unknown ?? {}) as Values;
    const gone = action === "delete" || action === "replace";
    const verb = action === "replace" ? "replaced" : "destroyed";
    const id = str(before?.id);
    switch (c.type) {
      case "aws_eip":
        if (gone) add(c.address, action, `would be ${verb}: its public IP ${str(before?.public_ip) ?? "unknown"} is an egress IP the database allow-lists.`);
        else if (action === "update") {
          const moved = ["instance", "network_interface", "associate_with_private_ip"].filter((k) => afterUnknown[k] === true || (before?.[k] ?? null) !== (after?.[k] ?? null));
          const ip = str(before?.public_ip);
          if (moved.length > 0) add(c.address, action, `would change its association (${moved.join(", ")}): the NAT loses its public IP${ip ? ` ${ip}` : ""} until it is associated again.`);
        }
        break;
      case "aws_eip_association":
        if (action === "update" || gone) add(c.address, action, `would be ${action === "update" ? "changed" : verb}: Elastic IP ${str(before?.allocation_id) ?? str(before?.public_ip) ?? "unknown"} leaves its NAT, and egress through it stops until it is associated again.`);
        break;
      case "aws_nat_gateway":
        if (gone) {
          const alloc = str(before?.allocation_id);
          const keeps = action === "replace" && alloc !== undefined && alloc === after?.allocation_id;
          add(
            c.address,
            action,
            keeps
              ? `would be replaced: it keeps Elastic IP allocation ${alloc}, but egress through it stops until the new NAT Gateway is up.`
              : `would be ${verb}: egress through it stops, and its address (allocation ${alloc ?? "unknown"}) would no longer be the egress IP.`,
          );
        }
        break;
      case "aws_route": {
        if (before?.destination_cidr_block !== "0.0.0.0/0" || !natTarget(before)) break;
        const was = natTarget(before)!;
        const unknown = afterUnknown.nat_gateway_id === true || afterUnknown.network_interface_id === true;
        const now = natTarget(after);
        if (action === "delete") add(c.address, action, `would be destroyed: the private subnets behind it lose the route to NAT ${was}.`);
        else if (unknown || (action !== "no-op" && now !== was)) {
          const kind = str(before?.network_interface_id) ? "NAT interface" : "NAT Gateway";
          add(c.address, action, `would point 0.0.0.0/0 at ${unknown ? `a ${kind} known only after apply` : String(now)} instead of ${was}: these subnets' egress moves to another ${kind}.`);
        } else if (action === "replace") {
          add(c.address, action, `would be replaced: its 0.0.0.0/0 to ${was} is deleted and created again, and these subnets have no egress in between.`);
        }
        break;
      }
      case "aws_route_table":
      case "aws_default_route_table": {
        if (id === undefined || !tables.has(id)) break;
        if (gone) {
          add(c.address, action, `would be ${verb}: it is a private route table (${id}); its subnets fall back to the VPC's main route table, which has no route to the NAT.`);
          break;
        }
        const was = natTarget(inlineDefault(before));
        if (action !== "update" || !was) break;
        const unknown = afterUnknown.route === true || (Array.isArray(afterUnknown.route) && afterUnknown.route.length > 0 && !inlineDefault(after));
        const now = natTarget(inlineDefault(after));
        if (unknown) add(c.address, action, `would rewrite its inline routes with targets known only after apply: its 0.0.0.0/0 to ${was} may move, and egress with it.`);
        else if (now === undefined) add(c.address, action, `would drop its inline 0.0.0.0/0 route to ${was}: these subnets lose egress.`);
        else if (now !== was) add(c.address, action, `would point its inline 0.0.0.0/0 at ${now} instead of ${was}: these subnets' egress moves to another NAT.`);
        break;
      }
      case "aws_route_table_association": {
        const subnet = str(before?.subnet_id);
        if (!gone || subnet === undefined || !subnets.has(subnet)) break;
        add(c.address, action, `would be ${verb}: private subnet ${subnet} falls back to the VPC's main route table, which has no route to the NAT, and loses egress.`);
        break;
      }
      case "aws_network_interface":
        if (gone && id !== undefined && natInterfaces.has(id)) {
          add(c.address, action, `would be ${verb}: it is the NAT interface (${id}) that holds the egress IP and that the private routes target; egress through it stops, and a new interface is a new route target.`);
        }
        break;
      case "aws_instance": {
        const eni = (Array.isArray(before?.network_interface) ? (before!.network_interface as Values[]) : []).map((n) => str(n.network_interface_id)).find((x) => x && natInterfaces.has(x));
        if (!eni) break;
        if (action === "delete") add(c.address, action, `would be destroyed: it is the NAT instance on ${eni}; egress through it stops.`);
        else if (action === "replace") {
          warnings.push({ address: c.address, action, reason: `would be replaced: the new NAT instance takes over interface ${eni} and its Elastic IP (the egress IP stays), but egress pauses while it boots (about a reboot).` });
        }
        break;
      }
      case "aws_subnet":
        if (gone && id !== undefined && subnets.has(id)) {
          add(c.address, action, `would be ${verb}: it is a private subnet (${id}) where the function's network interfaces live; on AWS the delete waits for them and fails, and egress from it stops.`);
        }
        break;
    }
  }
  return findings;
}

/** The attributes an update changes, known or known only after apply; tags_all follows tags and the provider's default tags. */
function changedKeys(c: ResourceChange): string[] {
  const before = c.change.before ?? {};
  const after = c.change.after ?? {};
  const unknown = (c.change.after_unknown ?? {}) as Values;
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((k) => k !== "tags_all" && (unknown[k] === true || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))).sort();
}

const count = (m: StateModule | undefined, type: string) => resourcesOf(m).filter((r) => r.type === type).length;

export function regionOf(plan: PlanJson): string | undefined {
  return plan.configuration?.provider_config?.aws?.expressions?.region?.constant_value;
}

export function reviewPlan(plan: PlanJson, stack: string): StackReview {
  const changes = (plan.resource_changes ?? []).filter((c) => c.mode === "managed");
  const actions = changes
    .map((c) => {
      const action = actionOf(c.change.actions);
      return { address: c.address, action, importing: Boolean(c.change.importing), ...(action === "update" ? { changed: changedKeys(c) } : {}) };
    })
    .filter((a) => (a.action !== "no-op" && a.action !== "read") || a.importing);
  const n = (a: Action) => actions.filter((x) => x.action === a).length;
  const counts = { add: n("create"), change: n("update"), replace: n("replace"), destroy: n("delete"), import: actions.filter((a) => a.importing).length };

  const warnings: Finding[] = [];
  const findings = egressFindings(plan, plan.resource_changes ?? [], warnings);
  const devicesIn = (m: StateModule | undefined) => ({
    gateways: count(m, "aws_nat_gateway"),
    instanceTypes: resourcesOf(m).filter((r) => r.type === "aws_instance").map((r) => String(r.values?.instance_type)),
  });
  const before = devicesIn(plan.prior_state?.values?.root_module);
  const after = devicesIn(plan.planned_values?.root_module);
  const natDevices = {
    before: before.gateways + before.instanceTypes.length,
    after: after.gateways + after.instanceTypes.length,
    eipsBefore: count(plan.prior_state?.values?.root_module, "aws_eip"),
    eipsAfter: count(plan.planned_values?.root_module, "aws_eip"),
  };
  const region = regionOf(plan);
  const monthlyCostUsd = region ? monthlyNatCost(region, before, after) : undefined;
  const egress = plan.output_changes?.egress_ips;
  // Before its first apply an adopted network has no output yet, but its imported Elastic IPs are the egress today.
  const imported = changes.filter((c) => c.type === "aws_eip" && c.change.importing).map((c) => str(c.change.before?.public_ip) ?? "unknown");
  return {
    stack,
    actions,
    counts,
    egressBefore: egress?.before ? ipList(egress.before) : imported,
    egressAfter: ipsAfter(egress),
    findings,
    warnings,
    offenders: findings.map((f) => `${f.address} ${f.reason}`),
    monthlyCostUsd,
    natDevices,
  };
}

const usd = (n: number) => n.toFixed(2);

/** "Monthly cost: 55.11 → 104.02 USD (+48.91)", when the plan changes how many NAT Gateways or Elastic IPs there are. */
export function costHeadline(r: StackReview): string | undefined {
  const d = r.natDevices;
  if (!r.monthlyCostUsd || (d.before === d.after && d.eipsBefore === d.eipsAfter)) return undefined;
  const { before, after } = r.monthlyCostUsd;
  const delta = after - before;
  return `Monthly cost: ${usd(before)} → ${usd(after)} USD (${delta >= 0 ? "+" : "-"}${usd(Math.abs(delta))})`;
}

/** One line per stack: its counts, and the cost change when there is one. */
export function headline(r: StackReview): string {
  const c = r.counts;
  const parts = [`${c.add} to add, ${c.change} to change, ${c.replace} to replace, ${c.destroy} to destroy${c.import > 0 ? `, ${c.import} to import` : ""}.`];
  const cost = costHeadline(r);
  if (cost) parts.push(`${cost}.`);
  return parts.join(" ");
}

export function renderMarkdown(reviews: StackReview[], allowed: boolean): string {
  const out: string[] = ["## Terraform plan review", ""];
  for (const r of reviews) {
    out.push(`### ${r.stack}`, "");
    out.push(headline(r), "");
    if (r.actions.length > 0) {
      out.push("| action | resource |", "| --- | --- |");
      for (const a of r.actions) out.push(`| ${a.importing ? (a.action === "no-op" ? "import" : `import, ${a.action}`) : a.action} | \`${a.address}\` |`);
      out.push("");
      // What an adoption changes besides importing: usually the project's tags only.
      const importUpdates = r.actions.filter((a) => a.importing && a.action === "update");
      if (importUpdates.length > 0) {
        const keys = [...new Set(importUpdates.flatMap((a) => a.changed ?? []))].sort();
        out.push(`The ${importUpdates.length} import(s) marked update change in place only: ${keys.length > 0 ? keys.join(", ") : "tags_all"}.`, "");
      }
    }
    if (r.egressBefore.length > 0 || r.egressAfter.length > 0) {
      out.push("**Egress IPs**", "");
      out.push(`- today: ${r.egressBefore.length > 0 ? r.egressBefore.join(", ") : "none (first deploy)"}`);
      out.push(`- after this plan: ${r.egressAfter.length > 0 ? r.egressAfter.join(", ") : "none"}`, "");
    }
  }
  const warnings = reviews.flatMap((r) => r.warnings);
  if (warnings.length > 0) {
    out.push("**Egress pauses (allowed):**", "");
    for (const w of warnings) out.push(`- ${w.address} ${w.reason}`);
    out.push("");
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

/** The machine-readable form, for CI policies and bots. */
export function renderJson(reviews: StackReview[], allowed: boolean): string {
  const findings = reviews.flatMap((r) => r.findings);
  const costs = reviews.map((r) => r.monthlyCostUsd).filter((c): c is { before: number; after: number } => c !== undefined);
  const round = (n: number) => Math.round(n * 100) / 100;
  return JSON.stringify(
    {
      refused: findings.length > 0 && !allowed,
      stacks: reviews.map((r) => ({ name: r.stack, ...r.counts })),
      egressIps: { before: reviews.flatMap((r) => r.egressBefore), after: reviews.flatMap((r) => r.egressAfter) },
      findings: findings.map((f) => ({ address: f.address, action: f.action, reason: f.reason })),
      warnings: reviews.flatMap((r) => r.warnings).map((f) => ({ address: f.address, action: f.action, reason: f.reason })),
      monthlyCostUsd: {
        before: round(costs.reduce((s, c) => s + c.before, 0)),
        after: round(costs.reduce((s, c) => s + c.after, 0)),
      },
    },
    null,
    2,
  );
}

/** Stack name from a file name such as `.run/plans/demo-network.plan.json`. */
export const stackOf = (file: string) => basename(file).replace(/\.plan\.json$|\.json$/, "");

/** Reads and reviews plan files; throws a PlanReviewError in one sentence for a file that is not a plan. */
export function reviewFiles(files: string[]): StackReview[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new PlanReviewError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code})`);
    }
    return reviewPlan(parsePlan(text, file), stackOf(file));
  });
}

const USAGE = "usage: plan-review [--allow-egress-change] [--format markdown|json] <plan.json>…";

export function main(argv: string[]): number {
  const args = [...argv];
  const allowed = args.includes("--allow-egress-change");
  let format = "markdown";
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--allow-egress-change") continue;
    if (a === "--format") {
      format = args[++i] ?? "";
      if (format !== "markdown" && format !== "json") fail(`--format "${format}" is not known; use markdown or json`, 2);
    } else if (a.startsWith("--")) fail(`unknown option ${a}; ${USAGE}`, 2);
    else files.push(a);
  }
  if (files.length === 0) fail(`give one or more plan JSON files (terraform show -json <planfile> > <stack>.plan.json); ${USAGE}`, 2);
  let reviews: StackReview[];
  try {
    reviews = reviewFiles(files);
  } catch (err) {
    if (err instanceof PlanReviewError) return fail(err.message, 2);
    throw err;
  }
  process.stdout.write(format === "json" ? `${renderJson(reviews, allowed)}\n` : renderMarkdown(reviews, allowed));
  const offenders = reviews.flatMap((r) => r.offenders);
  if (offenders.length > 0 && !allowed) {
    process.stderr.write(offenders.map((o) => `plan-review: ${o}`).join("\n") + "\n");
    return 1;
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
