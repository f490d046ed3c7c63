/**
 * Jest test order for `make test` (two workers): the longest suites first, so the two workers finish together
 * instead of one waiting on a long emulator suite started last. Jest orders by the last run's durations when
 * it has them; a clean clone (CI) has none, so the order comes from this table: seconds each suite took in
 * `make test` with two workers on the 2-core machine (`.ci/run`), rounded. A suite not listed counts as 1 s.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SECONDS = {
  "e2e/nat-instance.test.ts": 620,
  "e2e/main-job.test.ts": 445,
  "e2e/deploy.test.ts": 227,
  "e2e/faults.test.ts": 214,
  "e2e/nat-modes.test.ts": 270,
  "e2e/adopt.test.ts": 240,
  "e2e/guard-hcl.test.ts": 91,
  "consumer/package.test.ts": 46,
  "terraform/plan.test.ts": 34,
  "terraform/checkov.test.ts": 27,
  "lambda/egress-proof.test.ts": 18,
  "terraform/init.test.ts": 15,
  "terraform/bad-input.test.ts": 11,
  "lambda/probe-tls-secrets.test.ts": 10,
  "lambda/probe-postgres.test.ts": 8,
  "unit/fixed-egress-network-adopt.test.ts": 8,
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
