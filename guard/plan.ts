/** The parts of `terraform show -json` the guard reads, and the walks over its module trees. */
import { readFileSync } from "fs";

export type Action = "create" | "update" | "delete" | "replace" | "read" | "no-op" | "forget";
export type Values = Record<string, unknown>;

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly change: {
    readonly actions: string[];
    readonly before?: Values | null;
    readonly after?: Values | null;
    readonly after_unknown?: Values;
    readonly importing?: unknown;
  };
}

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly values?: Values;
}

export interface StateModule {
  readonly resources?: StateResource[];
  readonly child_modules?: StateModule[];
}

export interface PlanJson {
  readonly format_version: string;
  /** Terraform 1.6+: true when the plan stopped on an error */
  readonly errored?: boolean;
  readonly resource_changes?: ResourceChange[];
  readonly resource_drift?: ResourceChange[];
  readonly prior_state?: { readonly values?: { readonly root_module?: StateModule } };
  readonly planned_values?: { readonly root_module?: StateModule };
  readonly configuration?: {
    readonly provider_config?: Record<string, { readonly expressions?: { readonly region?: { readonly constant_value?: string } } }>;
    readonly root_module?: unknown;
  };
}

/** Input the guard cannot review (missing, unreadable, not a plan, a failed plan): it never passes. */
export class GuardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GuardInputError";
  }
}

export function actionOf(actions: readonly string[]): Action {
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("forget")) return "forget";
  return (actions[0] ?? "no-op") as Action;
}

/** Parses `terraform show -json <planfile>` output; one sentence when it is not a plan that Terraform finished. */
export function parsePlan(text: string, file: string): PlanJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new GuardInputError(`${file} is not JSON (${(err as Error).message}); give the output of \`terraform show -json <planfile>\``);
  }
  const plan = data as Partial<PlanJson> | null;
  if (typeof plan !== "object" || plan === null || Array.isArray(plan) || typeof plan.format_version !== "string" || (!("resource_changes" in plan) && !("planned_values" in plan) && !("prior_state" in plan))) {
    throw new GuardInputError(`${file} is JSON but not a Terraform plan (no format_version/resource_changes); give the output of \`terraform show -json <planfile>\``);
  }
  if (plan.errored === true) throw new GuardInputError(`${file} is the plan of a run that failed (errored: true); fix the plan's error and plan again`);
  return plan as PlanJson;
}

/** Reads and parses a plan file. */
export function readPlan(file: string): PlanJson {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new GuardInputError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); a stack whose plan failed has no plan to review`);
  }
  if (text.trim() === "") throw new GuardInputError(`${file} is empty; a stack whose plan failed has no plan to review`);
  return parsePlan(text, file);
}

/** Every resource of a module tree, child modules included (`module.x.aws_route.y[0]`). */
export function resourcesOf(m: StateModule | undefined, mode: "managed" | "data" = "managed"): StateResource[] {
  if (!m) return [];
  const own = (m.resources ?? []).filter((r) => (r.mode ?? "managed") === mode);
  return [...own, ...(m.child_modules ?? []).flatMap((c) => resourcesOf(c, mode))];
}

/** Two attribute values alike (null and absent alike); primitives compared directly, blocks by their JSON. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b || ((a === null || a === undefined) && (b === null || b === undefined))) return true;
  if (typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : []);

/** The region of the plan's default aws provider, when the configuration sets it as a constant. */
export function regionOf(plan: PlanJson): string | undefined {
  return plan.configuration?.provider_config?.aws?.expressions?.region?.constant_value;
}
