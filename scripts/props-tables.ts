/**
 * The props tables of constructs/README.md, generated from the TypeScript interfaces (names, types,
 * `@default` and descriptions of their JSDoc), so the documentation cannot drift from the code.
 * Usage: tsx scripts/props-tables.ts [--check]   (npm run docs:props; the unit suite runs the check)
 */
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import ts from "typescript";

const LIB = join(__dirname, "..", "constructs");
export const README = join(LIB, "README.md");
export const TABLES = ["FixedEgressNetworkProps", "FlowLogsProps", "AdoptedNetwork", "AdoptedResource", "AdoptedRouteTable", "AdoptedNatGateway", "AdoptedAddress", "NatAlarmsProps", "PrivateLambdaProps", "DatabaseAccessProps", "EntryOptions", "GuardRunTaskProps", "PublishEgressIpsProps", "EgressCanaryProps"];

/** One Markdown table per interface, from its source. */
export function propsTables(): Record<string, string> {
  const files = ["network-props.ts", "egress-publishing.ts", "adopt.ts", "private-lambda.ts", "lambda-code.ts", "guard-run-task.ts", "egress-canary.ts"].map((f) => join(LIB, f));
  const out: Record<string, string> = {};
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    ts.forEachChild(source, (node) => {
      if (!ts.isInterfaceDeclaration(node) || !TABLES.includes(node.name.text)) return;
      const rows = node.members.filter(ts.isPropertySignature).map((m) => {
        const name = (m.name as ts.Identifier).text;
        const type = m.type ? m.type.getText(source).replace(/\s+/g, " ").replace(/\|/g, "\\|") : "";
        const docs = ((m as unknown as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []).filter(ts.isJSDoc);
        let text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? "").join(" ").replace(/\s+/g, " ").trim();
        const tags = docs.flatMap((d) => d.tags ?? []);
        const def = tags.find((t) => t.tagName.text === "default");
        const deprecated = tags.find((t) => t.tagName.text === "deprecated");
        if (deprecated) text = `**Deprecated** ${(ts.getTextOfJSDocComment(deprecated.comment) ?? "").replace(/\s+/g, " ").trim()}`;
        const defaultText = def ? (ts.getTextOfJSDocComment(def.comment) ?? "").replace(/\s+/g, " ").trim() : m.questionToken ? "" : "required";
        return `| \`${name}${m.questionToken ? "?" : ""}\` | \`${type}\` | ${defaultText.replace(/\|/g, "\\|")} | ${text.replace(/\|/g, "\\|")} |`;
      });
      out[node.name.text] = ["| prop | type | default | what |", "| --- | --- | --- | --- |", ...rows].join("\n");
    });
  }
  return out;
}

/** The README with every `<!-- props:Name -->…<!-- /props -->` block regenerated. */
export function renderReadme(text: string, tables = propsTables()): string {
  return text.replace(/<!-- props:(\w+) -->[\s\S]*?<!-- \/props -->/g, (_, name: string) => {
    if (!tables[name]) throw new Error(`constructs/README.md asks for props:${name}, which is not an interface of the library`);
    return `<!-- props:${name} -->\n${tables[name]}\n<!-- /props -->`;
  });
}

/** A developer tool: its one exit is here. */
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

if (require.main === module) {
  const text = readFileSync(README, "utf8");
  const next = renderReadme(text);
  if (process.argv.includes("--check")) {
    if (next !== text) fail("constructs/README.md's props tables differ from the TypeScript; run: npm run docs:props");
  } else writeFileSync(README, next);
}
