/** The library's README documents its props from the TypeScript itself. */
import { readFileSync } from "fs";
import { README, TABLES, propsTables, renderReadme } from "../../scripts/props-tables";

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
    expect(tables.FixedEgressNetworkProps).toContain('| `natGateways?` | `NatMode` | "single" |');
  });

  it("would catch a prop missing from the README", () => {
    const text = readFileSync(README, "utf8").replace(/\| `allowHttps\?` [^\n]*\n/, "");
    expect(renderReadme(text)).not.toBe(text);
  });
});
