/**
 * The guard's rule table in guard/README.md and README.md, generated from the rule list itself
 * (guard/rules.ts), so the documentation cannot drift from what the guard does.
 * Usage: tsx scripts/rule-table.ts [--check]   (npm run docs:rules; the unit suite runs the check)
 */
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { RULES } from "@fixed-egress/guard";

export const DOCS = [join(__dirname, "..", "guard", "README.md"), join(__dirname, "..", "docs", "guard.md")];

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function ruleTable(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.types.map((t) => `\`${t}\``).join(", ")} | ${r.verdict}${r.allowListCovers ? "" : " (an allow-list does not lift it)"} | ${cell(r.title)} | ${cell(r.why)} |`);
  return ["| rule | resource types | verdict | what it catches | why this verdict |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** The text with its `<!-- rules -->…<!-- /rules -->` block regenerated. */
export const renderRules = (text: string, table = ruleTable()): string => text.replace(/<!-- rules -->[\s\S]*?<!-- \/rules -->/g, `<!-- rules -->\n${table}\n<!-- /rules -->`);

/** A developer tool: its one exit is here. */
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

if (require.main === module) {
  for (const file of DOCS) {
    const text = readFileSync(file, "utf8");
    if (!text.includes("<!-- rules -->")) fail(`${file} has no <!-- rules --> block`);
    const next = renderRules(text);
    if (process.argv.includes("--check")) {
      if (next !== text) fail(`${file}'s rule table differs from guard/rules.ts; run: npm run docs:rules`);
    } else writeFileSync(file, next);
  }
}
