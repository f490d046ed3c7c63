/** The packages' READMEs are generated from the code where they list what the code does: the props, the guard's rules. */
import { readFileSync } from "fs";
import { RULES } from "@fixed-egress/guard";
import { README, TABLES, propsTables, renderReadme } from "../../scripts/props-tables";
import { DOCS, renderRules, ruleTable } from "../../scripts/rule-table";

describe("constructs/README.md", () => {
  it("has a props table for every props interface, generated from the TypeScript (npm run docs:props)", () => {
    const text = readFileSync(README, "utf8");
    expect(renderReadme(text)).toBe(text);
    for (const name of TABLES) expect(text).toContain(`<!-- props:${name} -->`);
  });

  it("lists every prop with its default, from the JSDoc", () => {
    const tables = propsTables();
    expect(tables.PrivateLambdaProps).toContain('| `runtime?` | `string` | "nodejs22.x" |');
    expect(tables.PrivateLambdaProps).toContain("| `code` | `LambdaCode` | required |");
    expect(tables.FixedEgressNetworkProps).toContain('| `natPlacement?` | `NatPlacement` | "single" |');
    expect(tables.FixedEgressNetworkProps).toContain('| `natGateways?` | `NatPlacement` |  | **Deprecated** since 0.4.0');
  });

  it("would catch a prop missing from the README", () => {
    const text = readFileSync(README, "utf8").replace(/\| `allowHttps\?` [^\n]*\n/, "");
    expect(renderReadme(text)).not.toBe(text);
  });
});

describe("the guard's rule table (guard/README.md, README.md)", () => {
  it("is generated from guard/rules.ts (npm run docs:rules) and lists every rule with its verdict", () => {
    for (const file of DOCS) {
      const text = readFileSync(file, "utf8");
      expect(text).toContain("<!-- rules -->");
      expect(renderRules(text)).toBe(text);
    }
    for (const r of RULES) expect(ruleTable()).toContain(`| \`${r.id}\` |`);
    expect(ruleTable()).toContain("| `gateway-endpoint-on-private-table` | `aws_vpc_endpoint`, `aws_vpc_endpoint_route_table_association` | warn |");
  });

  it("would catch a rule missing from the docs", () => {
    const text = readFileSync(DOCS[0], "utf8").replace(/\| `nat-gateway-removed` [^\n]*\n/, "");
    expect(renderRules(text)).not.toBe(text);
  });
});
