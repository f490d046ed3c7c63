/** Suites are the *.test.ts files only; helpers under __tests__/helpers are imported, never run. */
// Terraform in the tests runs the mirror's providers through launchers (scripts/provider-launchers.sh): the same
// binaries, without hashing 700 MB at every command. FIXED_EGRESS_PROVIDER_LAUNCHERS=0 runs them as make demo does.
process.env.FIXED_EGRESS_PROVIDER_LAUNCHERS ??= "1";
module.exports = {
  // Node, plus a record of the CPU each suite spends (scripts/jest-cpu-environment.js; the summary lists it).
  testEnvironment: "<rootDir>/scripts/jest-cpu-environment.js",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    // Transpile only: `make typecheck` (part of `make test`) type-checks the whole tree once instead of per suite.
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  moduleFileExtensions: ["ts", "js", "json"],
  // The app imports the library by its package name; tests run its TypeScript source, as tsconfig's paths do.
  moduleNameMapper: { "^@fixed-egress/constructs$": "<rootDir>/constructs/index.ts", "^@fixed-egress/guard$": "<rootDir>/guard/index.ts" },
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  testTimeout: 30000,
  verbose: true, // every test with its time, in CI logs too
  reporters: ["default", "<rootDir>/scripts/jest-summary.js"],
  // Longest suites first, from a measured table: a clean clone has no timings of its own.
  testSequencer: "<rootDir>/scripts/jest-sequencer.js",
};
