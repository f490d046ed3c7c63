/**
 * SARIF 2.1.0 for code scanning: the rule table as the tool's rules, one result per finding or warning with
 * its rule id, level (error refuses, warning does not), the resource address as logical location, the plan
 * file as physical location, and the fingerprint. A finding allowed by --allow-egress-change or the allow-list
 * carries an external suppression that says so.
 */
import { Decision, Finding, StackReview } from "../review";
import { RULES } from "../rules";
import { TOOL_NAME, VERSION } from "../version";

export interface SarifInput {
  readonly findings: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** stack → the plan file it came from (the physical location GitHub's code scanning needs) */
  readonly files: ReadonlyMap<string, string>;
  /** why refusing findings pass, when they do */
  readonly suppressedBecause?: string;
}

const level = (verdict: string) => (verdict === "refuse" ? "error" : "warning");

export function sarifLog({ findings, warnings, files, suppressedBecause }: SarifInput): Record<string, unknown> {
  const result = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: RULES.findIndex((r) => r.id === f.rule),
    level: level(f.verdict),
    message: { text: `${f.stack}: ${f.address} ${f.reason}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: (files.get(f.stack) ?? `${f.stack}.plan.json`).replace(/\\/g, "/") } },
        logicalLocations: [{ fullyQualifiedName: f.address, kind: "resource" }],
      },
    ],
    partialFingerprints: { "fixedEgressGuard/v1": f.fingerprint },
    ...(suppressedBecause && f.verdict === "refuse" ? { suppressions: [{ kind: "external", justification: suppressedBecause }] } : {}),
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: VERSION,
            rules: RULES.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              fullDescription: { text: r.why },
              defaultConfiguration: { level: level(r.verdict) },
              help: { text: `${r.title}. ${r.why}` },
              properties: { verdict: r.verdict, resourceTypes: [...r.types] },
            })),
          },
        },
        results: [...findings, ...warnings].map(result),
      },
    ],
  };
}

export const renderSarif = (input: SarifInput) => JSON.stringify(sarifLog(input), null, 2);

/** The SARIF of reviewed plans: each stack's plan file as the location, and the verdict's reason as the suppression of passing findings. */
export const reviewSarif = (reviews: readonly StackReview[], decision: Decision): string =>
  renderSarif({
    findings: reviews.flatMap((r) => r.findings),
    warnings: reviews.flatMap((r) => r.warnings),
    files: new Map(reviews.map((r) => [r.stack, r.file ?? `${r.stack}.plan.json`])),
    suppressedBecause: decision.refused ? undefined : decision.because,
  });
