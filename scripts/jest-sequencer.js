/**
 * Jest test order for `make test` (six workers): the longest suites first, so the workers finish together
 * instead of one waiting on a long emulator suite started last. Jest orders by the last run's durations when
 * it has them; a clean clone (CI) has none, so the order comes from this table: seconds each suite took in
 * `make test` on the 2-core machine (`.ci/run`, four workers), rounded; suites a later change made faster or added
 * (the adoption unit suite, the canary's, the import and moved blocks', the shared providers'), as six workers
 * took them. A suite not listed counts as 1 s.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SECONDS = {
  "e2e/main-job.test.ts": 338,
  "e2e/nat-instance-changes.test.ts": 324,
  "e2e/nat-instance.test.ts": 319,
  "e2e/nat-modes.test.ts": 235,
  "e2e/adopt.test.ts": 227,
  "e2e/faults.test.ts": 123,
  "e2e/guard-hcl.test.ts": 91,
  "consumer/package.test.ts": 60,
  "terraform/checkov.test.ts": 49,
  "terraform/plan.test.ts": 41,
  "e2e/guard-run-task.test.ts": 39,
  "lambda/egress-proof.test.ts": 27,
  "lambda/probe-tls-secrets.test.ts": 19,
  "terraform/bad-input.test.ts": 17,
  "unit/destroy.test.ts": 15,
  "terraform/init.test.ts": 13,
  "e2e/emulator-patches.test.ts": 13,
  "unit/private-lambda.test.ts": 12,
  "unit/venv-cache.test.ts": 9,
  "lambda/canary.test.ts": 8,
  "unit/address-blocks.test.ts": 8,
  "terraform/shared-provider.test.ts": 15,
  "unit/provider-launchers.test.ts": 9,
  "unit/node-modules-cache.test.ts": 8,
  "unit/guard-run-task.test.ts": 7,
  "unit/guard-action.test.ts": 6,
  "lambda/probe-postgres.test.ts": 5,
  "unit/fixed-egress-network-adopt.test.ts": 4,
};

const weight = (path) => {
  const key = Object.keys(SECONDS).find((suffix) => path.endsWith(`/${suffix}`));
  return key ? SECONDS[key] : 1;
};

class LongestFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => weight(b.path) - weight(a.path) || (a.path < b.path ? -1 : 1));
  }
}

/**
 * The suites that set how long make test takes: the long emulator suites, which start first, one a worker, and
 * spend much of their time in the provider's waiters. The others run at a lower priority beside them
 * (scripts/jest-cpu-environment.js), on the CPU those waits leave, instead of slowing them down.
 */
const LONG_FROM = 200; // seconds in the table
const isLong = (path) => weight(path) >= LONG_FROM;

module.exports = LongestFirst;
module.exports.SECONDS = SECONDS;
module.exports.isLong = isLong;
