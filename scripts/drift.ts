/**
 * make drift: a refresh-only plan of both stacks (`terraform plan -refresh-only -detailed-exitcode`): what
 * changed outside Terraform, the changes that cut or move egress first. Exit 0 when nothing drifted, 2 when
 * something did (1 on an error). `make deploy` puts the drifted resources back as the config says.
 */
import { fail } from "./cli";
import { PlanJson, ResourceChange, actionOf, egressFindings } from "./plan-review";
import { planStack, readyStacks } from "./stack-steps";
import { configFromEnv, say } from "./steps";

export interface Drift {
  readonly stack: string;
  readonly address: string;
  /** "deleted" or "changed" outside Terraform */
  readonly what: "deleted" | "changed";
  /** what it does to egress, when it does something */
  readonly egress?: string;
}

/**
 * Whether a drifted resource changed in a way the config cares about: it is gone, or a value the config sets
 * differs (followed into nested blocks, as the configuration's expressions are shaped). A refresh also fills
 * in what the config never sets (a route table's `route` list once aws_route resources exist, an EIP's
 * association made by its NAT, a root volume's computed fields): those are not drift.
 */
function meaningful(plan: PlanJson, c: ResourceChange): boolean {
  if (!c.change.after) return true;
  const configured = plan.configuration?.root_module?.resources?.find((r) => r.address === c.address)?.expressions ?? {};
  return differsWhereSet(configured, c.change.before ?? {}, c.change.after);
}

function differsWhereSet(expr: unknown, before: unknown, after: unknown): boolean {
  if (Array.isArray(expr)) {
    const b = Array.isArray(before) ? before : [];
    const a = Array.isArray(after) ? after : [];
    return b.length !== a.length || expr.some((e, i) => differsWhereSet(e, b[i], a[i]));
  }
  if (expr === null || typeof expr !== "object") return false;
  if ("constant_value" in expr || "references" in expr) return JSON.stringify(before ?? null) !== JSON.stringify(after ?? null);
  const at = (v: unknown, k: string) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined);
  return Object.entries(expr).some(([k, e]) => differsWhereSet(e, at(before, k), at(after, k)));
}

/** The drift a refresh-only plan found, egress-relevant first. */
export function driftOf(plan: PlanJson, stack: string): Drift[] {
  const drifted = (plan.resource_drift ?? []).filter((c) => c.mode === "managed" && meaningful(plan, c));
  const findings = egressFindings(plan, drifted);
  const list = drifted.map((c): Drift => {
    const f = findings.find((x) => x.address === c.address);
    // A finding reads "would be destroyed: <consequence>"; drift has already happened, so keep the consequence.
    const egress = f ? f.reason.slice(f.reason.indexOf(": ") + 2) : undefined;
    return { stack, address: c.address, what: actionOf(c.change.actions) === "delete" ? "deleted" : "changed", egress };
  });
  return [...list.filter((d) => d.egress), ...list.filter((d) => !d.egress)];
}

export function renderDrift(drifts: Drift[]): string {
  if (drifts.length === 0) return "No drift: every resource is as Terraform last left it.";
  const lines = [`Drift: ${drifts.length} resource(s) changed outside Terraform${drifts.some((d) => d.egress) ? " (egress first)" : ""}:`];
  for (const d of drifts) lines.push(`- ${d.egress ? "EGRESS " : ""}${d.stack}: ${d.address} was ${d.what} outside Terraform${d.egress ? `: ${d.egress}` : ""}`);
  lines.push("make deploy puts them back as the config says (after its review); or change the config to match.");
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { config } = configFromEnv();
  const stacks = await readyStacks(config, "drift");
  // Refresh-only plans change nothing, so both stacks are read at once.
  const planned = await Promise.all(stacks.map((stack) => planStack(stack, `drift-${stack}`, { refreshOnly: true })));
  const drifts = planned.flatMap((p) => (p ? driftOf(p.plan, p.stack) : []));
  drifts.sort((a, b) => Number(Boolean(b.egress)) - Number(Boolean(a.egress)));
  say("");
  say(renderDrift(drifts));
  process.exitCode = drifts.length > 0 ? 2 : 0;
}

if (require.main === module) main().catch((err) => fail(`drift failed: ${err instanceof Error ? err.message : String(err)}`));
