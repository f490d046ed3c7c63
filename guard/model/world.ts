/**
 * The two sets of resource values the egress model is computed from: the world before a plan (its prior state,
 * and the `before` of changes the state does not hold yet, such as imports) and the world after it (each change
 * applied: deletes gone, `forget` kept as it is, since the resource stays in AWS; attributes known only after
 * apply marked UNKNOWN). Drift gives the same pair: the last-applied values against the refreshed ones.
 */
import { Action, GuardInputError, PlanJson, StateResource, Values, actionOf, resourcesOf, same } from "../plan";

/** The value of an attribute known only after apply. */
export const UNKNOWN = "(known after apply)";
export const isUnknown = (v: unknown) => v === UNKNOWN;

export interface Item {
  readonly address: string;
  readonly type: string;
  readonly mode: "managed" | "data";
  readonly values: Values;
  /** what this plan does to it ("no-op" in the world before, and for what it does not touch) */
  readonly action: Action;
}

export class World {
  private readonly byType = new Map<string, Item[]>();
  constructor(public readonly items: readonly Item[]) {
    for (const i of items) {
      const list = this.byType.get(i.type) ?? [];
      list.push(i);
      this.byType.set(i.type, list);
    }
  }
  /** managed resources (and, with `data`, data sources) of one type */
  of(type: string, mode: "managed" | "data" = "managed"): Item[] {
    return (this.byType.get(type) ?? []).filter((i) => i.mode === mode);
  }
}

/** after merged with after_unknown: every attribute known only after apply reads UNKNOWN, nested blocks included. */
function withUnknowns(after: unknown, unknown: unknown): unknown {
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(unknown)) {
    const list = Array.isArray(after) ? after : [];
    const n = Math.max(list.length, unknown.length);
    return Array.from({ length: n }, (_, i) => withUnknowns(list[i], unknown[i]));
  }
  if (unknown && typeof unknown === "object") {
    const out: Values = { ...((after && typeof after === "object" ? after : {}) as Values) };
    for (const [k, u] of Object.entries(unknown)) out[k] = withUnknowns(out[k], u);
    return out;
  }
  return after;
}

const fromState = (r: StateResource, mode: "managed" | "data"): Item => ({ address: r.address, type: r.type, mode, values: r.values ?? {}, action: "no-op" });

function priorItems(plan: PlanJson): Map<string, Item> {
  const root = plan.prior_state?.values?.root_module;
  const out = new Map<string, Item>();
  for (const mode of ["managed", "data"] as const) for (const r of resourcesOf(root, mode)) out.set(`${mode} ${r.address}`, fromState(r, mode));
  return out;
}

/** Attributes no egress path reads: an update that changes only these leaves the model as it was. */
const INERT_KEYS = new Set(["tags", "tags_all"]);
const inert = (before: Values | null | undefined, after: Values | null | undefined, unknown: Values | undefined) =>
  !!before &&
  !!after &&
  Object.keys(unknown ?? {}).every((k) => INERT_KEYS.has(k) || unknown![k] === false) &&
  [...new Set([...Object.keys(before), ...Object.keys(after)])].every((k) => INERT_KEYS.has(k) || same(before[k], after[k]));

/** The world before and after a plan's resource_changes; `same` when no change reaches what the model reads. */
export function planWorlds(plan: PlanJson): { before: World; after: World; same: boolean } {
  const changes = plan.resource_changes ?? [];
  const prior = priorItems(plan);
  const existing = changes.filter((c) => c.mode === "managed" && c.change.before && !c.change.importing && !c.change.actions.includes("create"));
  // A plan that changes resources it holds no state for cannot show their egress path: it fails closed.
  if (!plan.prior_state && existing.length > 0) {
    throw new GuardInputError(`the plan changes ${existing.length} existing resource(s) (${existing[0].address}…) but holds no prior state, so the egress path before it cannot be read; give the output of \`terraform show -json <planfile>\` of a plan made against the stack's state`);
  }
  const before = prior;
  for (const c of changes) {
    const key = `${c.mode} ${c.address}`;
    if (c.change.before && !before.has(key)) before.set(key, { address: c.address, type: c.type, mode: c.mode as "managed" | "data", values: c.change.before, action: "no-op" });
  }
  const b = new World([...before.values()]);
  // A forget leaves the resource in AWS as it is; an update of tags alone reaches no path.
  const reaching = changes.filter((c) => {
    const action = actionOf(c.change.actions);
    return !(action === "no-op" || action === "read" || action === "forget" || (action === "update" && inert(c.change.before, c.change.after, c.change.after_unknown)));
  });
  if (reaching.length === 0) return { before: b, after: b, same: true };
  const after = new Map(before);
  for (const c of reaching) {
    const key = `${c.mode} ${c.address}`;
    const action = actionOf(c.change.actions);
    if (action === "delete") after.delete(key);
    else after.set(key, { address: c.address, type: c.type, mode: c.mode as "managed" | "data", values: withUnknowns(c.change.after ?? {}, c.change.after_unknown ?? {}) as Values, action });
  }
  return { before: b, after: new World([...after.values()]), same: false };
}

/** Drift: the values Terraform last applied (each drift's `before`) against the refreshed ones (the prior state). */
export function driftWorlds(plan: PlanJson): { before: World; after: World } {
  const refreshed = priorItems(plan);
  const last = new Map(refreshed);
  for (const c of plan.resource_drift ?? []) {
    const key = `${c.mode} ${c.address}`;
    if (c.change.before) last.set(key, { address: c.address, type: c.type, mode: c.mode as "managed" | "data", values: c.change.before, action: "no-op" });
    else last.delete(key);
  }
  for (const c of plan.resource_drift ?? []) {
    const key = `${c.mode} ${c.address}`;
    if (!c.change.after) refreshed.delete(key);
    else if (!refreshed.has(key)) refreshed.set(key, { address: c.address, type: c.type, mode: c.mode as "managed" | "data", values: c.change.after, action: "update" });
    else refreshed.set(key, { ...refreshed.get(key)!, action: "update" });
  }
  return { before: new World([...last.values()]), after: new World([...refreshed.values()]) };
}
