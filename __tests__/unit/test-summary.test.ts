/**
 * make test's summary (scripts/jest-summary.js): each suite's CPU from the records the test environment writes, most
 * first, with the total and the part of it spent in shared providers, which it also writes for .ci/run to add.
 */
import { appendFileSync, mkdtempSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SummaryReporter = require("../../scripts/jest-summary.js");

const NAMES = ["FIXED_EGRESS_JEST_CPU_FILE", "FIXED_EGRESS_UNWAITED_CPU_FILE"];
let saved: (string | undefined)[];
beforeEach(() => (saved = NAMES.map((n) => process.env[n])));
afterEach(() => NAMES.forEach((n, i) => (saved[i] === undefined ? delete process.env[n] : (process.env[n] = saved[i]))));

/** A reporter whose records are `records`; its table. */
function tableOf(records: object[]): string {
  const reporter = new SummaryReporter();
  for (const r of records) appendFileSync(process.env.FIXED_EGRESS_JEST_CPU_FILE!, `${JSON.stringify(r)}\n`);
  return reporter.cpuTable();
}

it("lists each suite's CPU, most first, folds those under 1 CPU-s into a count, and gives the total", () => {
  expect(
    tableOf([
      { suite: "__tests__/unit/a.test.ts", user: 0.4, sys: 0.1, wall: 2 },
      { suite: "__tests__/e2e/b.test.ts", user: 80, sys: 20.5, wall: 300.4 },
      { suite: "__tests__/e2e/c.test.ts", user: 100, sys: 50, wall: 350 },
    ]),
  ).toBe(
    [
      "",
      "cpu per suite (the worker, the processes it waited for, its shared providers):",
      "  150.0 CPU-s (100.0 user + 50.0 sys)  350 s wall  __tests__/e2e/c.test.ts",
      "  100.5 CPU-s (80.0 user + 20.5 sys)  300 s wall  __tests__/e2e/b.test.ts",
      "        and 1 suites under 1 CPU-s each",
      "  251.0 CPU-s (180.4 user + 70.6 sys) in 3 suites",
      "",
    ].join("\n"),
  );
});

it("says how much of it the shared providers spent, and writes that for .ci/run, which cannot see them", () => {
  process.env.FIXED_EGRESS_UNWAITED_CPU_FILE = join(mkdtempSync(join(tmpdir(), "fixed-egress-summary-")), "unwaited");
  const table = tableOf([
    { suite: "__tests__/e2e/b.test.ts", user: 80, sys: 20.5, wall: 300.4, providers: 30.25 },
    { suite: "__tests__/e2e/c.test.ts", user: 100, sys: 50, wall: 350, providers: 12 },
    { suite: "__tests__/unit/a.test.ts", user: 2, sys: 0.5, wall: 2 },
  ]);
  expect(table).toContain("  253.0 CPU-s (182.0 user + 71.0 sys) in 3 suites\n   42.3 CPU-s of it in shared providers (scripts/shared-provider.sh)\n");
  expect(readFileSync(process.env.FIXED_EGRESS_UNWAITED_CPU_FILE, "utf8")).toBe("42.3\n");
});
