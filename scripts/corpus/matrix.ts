/**
 * The guard against the corpus: each saved plan reviewed, its verdict set beside the oracle's (the emulator
 * after a real apply), as a confusion matrix. docs/guard.md holds it between `<!-- corpus -->` markers.
 * Usage: tsx scripts/corpus/matrix.ts [--check]   (npm run docs:corpus; the unit suite runs the check)
 */
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { decide, readPlan, reviewPlan } from "@fixed-egress/guard";

export const CORPUS = join(__dirname, "..", "..", "__tests__", "fixtures", "egress-corpus");
const DOC = join(__dirname, "..", "..", "docs", "guard.md");

export interface Judged {
  readonly style: string;
  readonly variant: string;
  readonly what: string;
  readonly moves: boolean;
  readonly evidence: string[];
  readonly refused: boolean;
  readonly rules: string[];
}

/** Every corpus plan, the oracle's verdict and the guard's. */
export function judge(): Judged[] {
  const verdicts = JSON.parse(readFileSync(join(CORPUS, "verdicts.json"), "utf8")) as Omit<Judged, "refused" | "rules">[];
  return verdicts.map((v) => {
    const review = reviewPlan(readPlan(join(CORPUS, v.style, `${v.variant}.plan.json`)), `${v.style}-${v.variant}`);
    return { ...v, refused: decide([review]).refused, rules: [...new Set(review.findings.map((f) => f.rule))] };
  });
}

export function matrix(judged: readonly Judged[] = judge()): string {
  const n = (moves: boolean, refused: boolean) => judged.filter((j) => j.moves === moves && j.refused === refused).length;
  const styles = [...new Set(judged.map((j) => j.style))];
  const rows = judged.map((j) => `| ${j.style} | ${j.what} | ${j.moves ? "moves" : "unchanged"} | ${j.refused ? `refused (${j.rules.map((r) => `\`${r}\``).join(", ")})` : "passed"} |`);
  return [
    `${judged.length} plans of ${styles.length} network styles (${styles.join(", ")}), each applied on the emulator and judged by the oracle:`,
    "",
    "| | guard refused | guard passed |",
    "| --- | --- | --- |",
    `| **egress moved** (oracle) | ${n(true, true)} | ${n(true, false)} |`,
    `| **egress unchanged** (oracle) | ${n(false, true)} | ${n(false, false)} |`,
    "",
    "| network | plan | oracle | guard |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

export const renderCorpus = (text: string, table = matrix()) => text.replace(/<!-- corpus -->[\s\S]*?<!-- \/corpus -->/, `<!-- corpus -->\n${table}\n<!-- /corpus -->`);

if (require.main === module) {
  const text = readFileSync(DOC, "utf8");
  const next = renderCorpus(text);
  if (process.argv.includes("--check")) {
    if (next !== text) {
      process.stderr.write("docs/guard.md: the corpus matrix is stale; run npm run docs:corpus\n");
      process.exit(1);
    }
  } else writeFileSync(DOC, next);
}
