/** The review as Markdown, for a pull-request comment or a kept record. */
import { Decision, Finding, StackReview } from "../review";
import { DriftReview } from "../drift";

export interface MarkdownOptions {
  readonly decision: Decision;
  readonly allowListed?: readonly string[];
  /** lines a caller adds under a stack's counts (a cost estimate, say) */
  readonly notes?: (r: StackReview) => string[];
}

/** "2 to add, 1 to change, 0 to replace, 0 to destroy." (", 3 to import", ", 1 to forget" when there are any) */
export function countsLine(r: StackReview): string {
  const c = r.counts;
  return `${c.add} to add, ${c.change} to change, ${c.replace} to replace, ${c.destroy} to destroy${c.import > 0 ? `, ${c.import} to import` : ""}${c.forget > 0 ? `, ${c.forget} to forget` : ""}.`;
}

export const findingLine = (f: Finding) => `${f.address} ${f.reason} [${f.rule}]`;

export function renderMarkdown(reviews: readonly StackReview[], opts: MarkdownOptions): string {
  const out: string[] = ["## Terraform plan review", ""];
  for (const r of reviews) {
    out.push(`### ${r.stack}`, "");
    out.push([countsLine(r), ...(opts.notes?.(r) ?? [])].join(" "), "");
    if (r.actions.length > 0) {
      out.push("| action | resource |", "| --- | --- |");
      for (const a of r.actions) out.push(`| ${a.importing ? (a.action === "no-op" ? "import" : `import, ${a.action}`) : a.action} | \`${a.address}\` |`);
      out.push("");
      // What an adoption changes besides importing: usually tags only.
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
  if (opts.allowListed) {
    const outside = opts.decision.outsideAllowList;
    out.push(`**Allow-listed at the database:** ${opts.allowListed.join(", ")}${outside.length > 0 ? `; not among them after this plan: ${outside.join(", ")}` : "; every egress IP after this plan is among them"}.`, "");
  }
  const warnings = reviews.flatMap((r) => r.warnings);
  if (warnings.length > 0) {
    out.push("**Warnings (not refused):**", "");
    for (const w of warnings) out.push(`- ${findingLine(w)}`);
    out.push("");
  }
  const findings = reviews.flatMap((r) => r.findings);
  if (findings.length === 0) {
    out.push("No egress IP changes.", "");
  } else {
    out.push(
      opts.decision.refused
        ? "**The egress path changes: this plan is refused.** The database admits only allow-listed addresses. Re-run with `--allow-egress-change` when this is intended and any new address is allow-listed" +
            (opts.allowListed ? ` (${opts.decision.because}).` : ".")
        : `**The egress path changes (${opts.decision.because}):**`,
      "",
    );
    for (const f of findings) out.push(`- ${findingLine(f)}`);
    out.push("");
  }
  return out.join("\n");
}

export function renderDriftMarkdown(drifts: readonly DriftReview[]): string {
  const all = drifts.flatMap((d) => d.drifted.map((x) => ({ ...x, stack: d.stack, egress: [...d.findings, ...d.warnings].filter((f) => f.address === x.address) })));
  if (all.length === 0) return "No drift: every resource is as Terraform last left it.\n";
  all.sort((a, b) => Number(b.egress.length > 0) - Number(a.egress.length > 0));
  const lines = [`Drift: ${all.length} resource(s) changed outside Terraform${all.some((d) => d.egress.length > 0) ? " (egress first)" : ""}:`];
  for (const d of all) {
    // A finding reads "would be destroyed: <consequence>"; drift has already happened, so the consequence is what stays.
    const consequence = d.egress
      .map((f) => f.reason.slice(f.reason.indexOf(": ") + 2))
      .map((c, i) => (i === 0 ? c : c[0].toUpperCase() + c.slice(1)))
      .join(" ");
    lines.push(`- ${d.egress.length > 0 ? "EGRESS " : ""}${d.stack}: ${d.address} was ${d.what} outside Terraform${consequence ? `: ${consequence}` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}
