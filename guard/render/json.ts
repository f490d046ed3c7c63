/** The machine-readable review, for CI policies and bots: each finding with its rule id and a stable fingerprint. */
import { Decision, StackReview } from "../review";
import { DriftReview } from "../drift";

export function reviewJson(reviews: readonly StackReview[], decision: Decision, allowListed?: readonly string[]): Record<string, unknown> {
  return {
    refused: decision.refused,
    because: decision.because,
    stacks: reviews.map((r) => ({ name: r.stack, ...r.counts })),
    egressIps: { before: reviews.flatMap((r) => r.egressBefore), after: reviews.flatMap((r) => r.egressAfter) },
    ...(allowListed ? { allowListed: { ips: [...allowListed], outside: decision.outsideAllowList } } : {}),
    findings: reviews.flatMap((r) => r.findings),
    warnings: reviews.flatMap((r) => r.warnings),
  };
}

export const renderJson = (reviews: readonly StackReview[], decision: Decision, allowListed?: readonly string[]) => JSON.stringify(reviewJson(reviews, decision, allowListed), null, 2);

export function renderDriftJson(drifts: readonly DriftReview[]): string {
  const findings = drifts.flatMap((d) => d.findings);
  return JSON.stringify({ drifted: drifts.flatMap((d) => d.drifted.map((x) => ({ stack: d.stack, ...x }))), egressDrift: findings.length > 0, findings, warnings: drifts.flatMap((d) => d.warnings) }, null, 2);
}
