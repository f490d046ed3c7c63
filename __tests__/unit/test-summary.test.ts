/** make test's summary (scripts/jest-summary.js): each suite's CPU from the records the test environment writes, most first, with the total. */
import { appendFileSync } from "fs";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SummaryReporter = require("../../scripts/jest-summary.js");

it("lists each suite's CPU, most first, folds those under 1 CPU-s into a count, and gives the total", () => {
  const saved = process.env.FIXED_EGRESS_JEST_CPU_FILE;
  try {
    const reporter = new SummaryReporter();
    const file = process.env.FIXED_EGRESS_JEST_CPU_FILE!;
    for (const r of [
      { suite: "__tests__/unit/a.test.ts", user: 0.4, sys: 0.1, wall: 2 },
      { suite: "__tests__/e2e/b.test.ts", user: 80, sys: 20.5, wall: 300.4 },
      { suite: "__tests__/e2e/c.test.ts", user: 100, sys: 50, wall: 350 },
    ])
      appendFileSync(file, `${JSON.stringify(r)}\n`);
    expect(reporter.cpuTable()).toBe(
      [
        "",
        "cpu per suite (the worker and the processes it waited for):",
        "  150.0 CPU-s (100.0 user + 50.0 sys)  350 s wall  __tests__/e2e/c.test.ts",
        "  100.5 CPU-s (80.0 user + 20.5 sys)  300 s wall  __tests__/e2e/b.test.ts",
        "        and 1 suites under 1 CPU-s each",
        "  251.0 CPU-s (180.4 user + 70.6 sys) in 3 suites",
        "",
      ].join("\n"),
    );
  } finally {
    process.env.FIXED_EGRESS_JEST_CPU_FILE = saved;
  }
});
