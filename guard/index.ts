/** @fixed-egress/guard: reviews any Terraform plan (`terraform show -json`) for changes of the egress path. */
export { GuardInputError, actionOf, parsePlan, readPlan, resourcesOf, regionOf } from "./plan";
export type { Action, PlanJson, ResourceChange, StateModule, StateResource, Values } from "./plan";
export { topologyOf } from "./topology";
export type { Topology } from "./topology";
export { KNOWN_AFTER_APPLY, egressAfter, egressBefore } from "./egress";
export { RULES, ruleById } from "./rules";
export type { Change, Rule, RuleContext, Verdict } from "./rules";
export { decide, egressFindings, holdersOf, parseAllowList, reviewFiles, reviewPlan, stackOf } from "./review";
export type { Decision, Finding, NatCount, StackReview, VerdictOptions } from "./review";
export { meaningfulDrift, reviewDrift, reviewDriftFiles } from "./drift";
export type { DriftReview } from "./drift";
export { countsLine, findingLine, renderDriftMarkdown, renderMarkdown } from "./render/markdown";
export type { MarkdownOptions } from "./render/markdown";
export { renderDriftJson, renderJson, reviewJson } from "./render/json";
export { renderSarif, reviewSarif, sarifLog } from "./render/sarif";
export type { SarifInput } from "./render/sarif";
export { EXIT, main } from "./cli";
export { VERSION } from "./version";
