/** The egress model of a plan (or a refresh-only plan's drift): both worlds, both models, their differences. */
import { GuardInputError, PlanJson, actionOf, same } from "../plan";
import { EgressChange, EgressModel, diffModels, egressModel, knownIds, universeOf } from "./model";
export { depsOf, isPrivate } from "./model";
import { World, driftWorlds, planWorlds } from "./world";

export type { EgressChange, EgressModel } from "./model";
export type { Exit } from "./exits";
export { UNKNOWN } from "./world";

/** In-place updates that stop what forwards egress for a while, by resource type: the attributes that do it. */
export const STOPPING_UPDATES: Readonly<Record<string, readonly string[]>> = {
  // The provider stops the instance, changes it and starts it again.
  aws_instance: ["instance_type", "user_data", "user_data_base64"],
};

/** Resources this plan replaces or stops in place, by address: egress through them stops meanwhile. */
function interruptions(plan: PlanJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of plan.resource_changes ?? []) {
    const action = actionOf(c.change.actions);
    if (action === "replace") out.set(c.address, "is replaced");
    const keys = STOPPING_UPDATES[c.type] ?? [];
    const unknown = (c.change.after_unknown ?? {}) as Record<string, unknown>;
    if (action === "update" && keys.some((k) => unknown[k] === true || !same(c.change.before?.[k], c.change.after?.[k]))) out.set(c.address, "is stopped and started");
  }
  return out;
}

export interface EgressComparison {
  readonly before: EgressModel;
  readonly after: EgressModel;
  readonly changes: EgressChange[];
}

function compare(worlds: { before: World; after: World; same?: boolean }, destinations: readonly string[] | undefined, interrupted: Map<string, string>): EgressComparison {
  const universe = universeOf(destinations);
  // A private database (reached over peering or a VPN) has no public exit to compare: say so, never pass silently.
  if (universe.length === 0) throw new GuardInputError(`--destinations ${destinations!.join(",")} names no public address, so no egress IP reaches it; give the database's public addresses, or leave --destinations out`);
  const known = knownIds(worlds.before, worlds.after);
  const before = egressModel(worlds.before, worlds.before, known);
  // A plan that changes only what no path reads (tags) leaves the model as it was; replacements still interrupt.
  const after = worlds.same ? before : egressModel(worlds.after, worlds.before, known);
  return { before, after, changes: diffModels(before, after, universe, interrupted) };
}

/** A plan's egress changes: the model before against the model after, on the given destinations (default: all public IPv4). */
export const comparePlan = (plan: PlanJson, destinations?: readonly string[]): EgressComparison => compare(planWorlds(plan), destinations, interruptions(plan));

/** Drift's egress changes: the last-applied values against the refreshed ones. */
export const compareDrift = (plan: PlanJson, destinations?: readonly string[]): EgressComparison => compare(driftWorlds(plan), destinations, new Map());
