/**
 * Drift: a refresh-only plan's resource_drift read through the same rules. Only what the configuration sets
 * counts: a refresh also fills in what it never sets (a route table's `route` list once aws_route resources
 * exist, an Elastic IP's association made by its NAT, a root volume's computed fields), and that is not drift.
 */
import { PlanJson, ResourceChange, actionOf, readPlan, resourcesOf } from "./plan";
import { egressBefore } from "./egress";
import { explain } from "./explain";
import { compareDrift } from "./model";
import { routeKey } from "./model/network";
import { Finding, ReviewOptions, egressFindings, stackOf } from "./review";
import { TABLE_TYPES, managed, topologyOf } from "./topology";

export interface DriftReview {
  readonly stack: string;
  readonly file?: string;
  readonly drifted: { address: string; what: "deleted" | "changed" }[];
  /** drift that cuts or moves egress */
  readonly findings: Finding[];
  readonly warnings: Finding[];
}

interface ConfigResource {
  readonly address: string;
  readonly expressions?: Record<string, unknown>;
}
interface ConfigModule {
  readonly resources?: ConfigResource[];
  readonly module_calls?: Record<string, { readonly module?: ConfigModule }>;
}

/** The configuration's resources with their module-qualified addresses (`module.net.aws_route.private`). */
function configured(m: ConfigModule | undefined, prefix = ""): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of m?.resources ?? []) out.set(`${prefix}${r.address}`, r.expressions ?? {});
  for (const [name, call] of Object.entries(m?.module_calls ?? {})) configured(call.module, `${prefix}module.${name}.`).forEach((v, k) => out.set(k, v));
  return out;
}

/** `module.net.aws_route.private[0]` → `module.net.aws_route.private` (instance keys are not in the configuration). */
const configAddress = (address: string) => address.replace(/\[[^\]]*\]/g, "");

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

/** Whether a drifted resource is gone, or differs where its configuration sets a value (followed into nested blocks). */
export function meaningfulDrift(plan: PlanJson, c: ResourceChange): boolean {
  if (!c.change.after) return true;
  const expressions = configured(plan.configuration?.root_module as ConfigModule | undefined).get(configAddress(c.address)) ?? {};
  return differsWhereSet(expressions, c.change.before ?? {}, c.change.after);
}

/**
 * A route table whose computed `route` list changed only in routes that aws_route resources manage (`managed`:
 * their keys): the drift is theirs (they are listed themselves), not the table's.
 */
function echoOfManagedRoutes(c: ResourceChange, managedRoutes: ReadonlySet<string>): boolean {
  if (!TABLE_TYPES.includes(c.type) || !c.change.before || !c.change.after) return false;
  const { route: b = [], ...beforeRest } = c.change.before as { route?: Record<string, unknown>[] };
  const { route: a = [], ...afterRest } = c.change.after as { route?: Record<string, unknown>[] };
  if (JSON.stringify(beforeRest) !== JSON.stringify(afterRest)) return false;
  const table = String(c.change.before.id);
  const inBefore = new Set(b.map((r) => JSON.stringify(r)));
  const inAfter = new Set(a.map((r) => JSON.stringify(r)));
  const changed = [...b.filter((r) => !inAfter.has(JSON.stringify(r))), ...a.filter((r) => !inBefore.has(JSON.stringify(r)))];
  return changed.length > 0 && changed.every((r) => managedRoutes.has(routeKey(table, r)));
}

/**
 * Drift of the egress path is judged by the egress model (the last-applied values against the refreshed ones),
 * configured or not: a route added by hand, an address added in the console. Other drift is listed where it
 * differs from what the configuration sets.
 */
export function reviewDrift(plan: PlanJson, stack: string, file?: string, opts: ReviewOptions = {}): DriftReview {
  const managedRoutes = new Set(
    [...resourcesOf(plan.prior_state?.values?.root_module), ...(plan.resource_drift ?? []).map((d) => ({ type: d.type, values: d.change.before ?? undefined }))]
      .filter((r) => r.type === "aws_route" && r.values)
      .map((r) => routeKey(String(r.values!.route_table_id), r.values!)),
  );
  const all = managed(plan.resource_drift ?? []).filter((c) => !echoOfManagedRoutes(c, managedRoutes));
  const egress = compareDrift(plan, opts.destinations);
  const topology = topologyOf(plan);
  // The drift has happened: the egress IPs the rules compare with are today's (the refreshed state, the plan's prior state).
  const today = egressBefore(plan, topology);
  const rules = egressFindings(plan, stack, all, topology, egress.before, { before: today, after: today });
  const findings = explain(stack, egress.changes, rules.findings, all);
  const onPath = new Set([...findings, ...rules.warnings].map((f) => f.address));
  const drift = all.filter((c) => onPath.has(c.address) || meaningfulDrift(plan, c));
  const warnings = rules.warnings;
  return {
    stack,
    ...(file ? { file } : {}),
    drifted: drift.map((c) => ({ address: c.address, what: actionOf(c.change.actions) === "delete" ? ("deleted" as const) : ("changed" as const) })),
    findings,
    warnings,
  };
}

export const reviewDriftFiles = (files: readonly string[], opts: ReviewOptions = {}): DriftReview[] => files.map((f) => reviewDrift(readPlan(f), stackOf(f), f, opts));
