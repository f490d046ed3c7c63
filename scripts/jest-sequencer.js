/**
 * Jest test order for `make test` (four workers): the longest suites first, so the workers finish together
 * instead of one waiting on a long emulator suite started last. Jest orders by the last run's durations when
 * it has them; a clean clone (CI) has none, so the order comes from this table: seconds each suite took in
 * `make test` with four workers on the 2-core machine (`.ci/run`), rounded. A suite not listed counts as 1 s.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SECONDS = {
  "e2e/main-job.test.ts": 395,
  "e2e/nat-instance.test.ts": 367,
  "e2e/nat-instance-changes.test.ts": 354,
  "e2e/nat-modes.test.ts": 275,
  "e2e/adopt.test.ts": 226,
  "e2e/faults.test.ts": 135,
  "e2e/guard-hcl.test.ts": 97,
  "consumer/package.test.ts": 50,
  "terraform/plan.test.ts": 47,
  "e2e/guard-run-task.test.ts": 43,
  "terraform/checkov.test.ts": 40,
  "lambda/egress-proof.test.ts": 26,
  "terraform/init.test.ts": 22,
  "terraform/bad-input.test.ts": 20,
  "unit/destroy.test.ts": 19,
  "e2e/emulator-patches.test.ts": 18,
  "lambda/probe-tls-secrets.test.ts": 18,
  "unit/fixed-egress-network-adopt.test.ts": 14,
  "unit/private-lambda.test.ts": 13,
  "unit/guard-action.test.ts": 9,
  "lambda/probe-postgres.test.ts": 7,
  "unit/guard-run-task.test.ts": 6,
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

module.exports = LongestFirst;
module.exports.SECONDS = SECONDS;
