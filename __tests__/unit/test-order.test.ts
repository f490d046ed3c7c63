/**
 * `make test`'s order (scripts/jest-sequencer.js): longest suites first, from a table that names only real suites;
 * the long emulator suites at normal priority, the others (this one) niced, with what they start.
 */
import { spawnSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { ROOT } from "../helpers/config";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const LongestFirst = require("../../scripts/jest-sequencer.js");
const SECONDS: Record<string, number> = LongestFirst.SECONDS;
const isLong: (path: string) => boolean = LongestFirst.isLong;

describe("the test order", () => {
  it("names only suites that exist", () => {
    expect(Object.keys(SECONDS).filter((suite) => !existsSync(join(ROOT, "__tests__", suite)))).toEqual([]);
  });

  it("starts the longest suites first, then the rest by path", () => {
    // A listed suite goes before unlisted ones whatever its path (unit/destroy after unit/a by name).
    const paths = ["unit/b.test.ts", "e2e/faults.test.ts", "unit/destroy.test.ts", "unit/a.test.ts", "e2e/main-job.test.ts"].map((p) => ({ path: join(ROOT, "__tests__", p) }));
    const sorted = new LongestFirst({ contexts: [], globalConfig: {} }).sort(paths).map((t: { path: string }) => t.path.slice(ROOT.length + "/__tests__/".length));
    expect(sorted).toEqual(["e2e/main-job.test.ts", "e2e/faults.test.ts", "unit/destroy.test.ts", "unit/a.test.ts", "unit/b.test.ts"]);
  });

  it("runs the long emulator suites at normal priority and the others niced, with the processes they start", () => {
    const long = Object.keys(SECONDS).filter((suite) => isLong(join(ROOT, "__tests__", suite)));
    expect(long.sort()).toEqual(["e2e/adopt.test.ts", "e2e/main-job.test.ts", "e2e/nat-instance-changes.test.ts", "e2e/nat-instance.test.ts", "e2e/nat-modes.test.ts"]);
    expect(isLong(join(ROOT, "__tests__", "unit", "test-order.test.ts"))).toBe(false);
    // This suite is one of the others: a process it starts runs niced (5, or more when jest itself was).
    expect(Number(spawnSync("sh", ["-c", "ps -o ni= -p $$"], { encoding: "utf8" }).stdout.trim())).toBeGreaterThanOrEqual(5);
  });
});
