/** The app's use of the guard: the monthly cost beside a plan's counts, the config's allow-list, and the report formats. */
import { decide, reviewPlan } from "@fixed-egress/guard";
import { costHeadline, decideFor, destinationsOf, headline, heldByLeaving, renderReview } from "../../jobs/plan-review";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, derivedConfig } from "../helpers/config";
import { Res, TODAY, planOf, valuesAt } from "../helpers/plans";

const second: Res[] = [
  { address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", values: { id: "nat-222", connectivity_type: "public" } },
  { address: "aws_eip.eip2", type: "aws_eip", values: { id: "eipalloc-2" } },
];
const replaced = planOf({ prior: TODAY, changes: [{ address: "aws_subnet.priv", type: "aws_subnet", actions: ["delete", "create"], before: valuesAt(TODAY, "aws_subnet.priv"), after: {} }] });

describe("the app's review", () => {
  it("heads a stack with the monthly cost change when the number of NAT devices changes (Tokyo list prices, 100 GB)", () => {
    const r = reviewPlan(planOf({ prior: TODAY, planned: [...TODAY, ...second], changes: [{ address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", actions: ["create"] }] }), "s");
    expect(costHeadline(r)).toBe("Monthly cost: 55.11 → 104.02 USD (+48.91)");
    expect(headline(r)).toBe("1 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 55.11 → 104.02 USD (+48.91).");
    expect(renderReview([r], decide([r]), loadConfig(LOCAL_CONFIG))).toContain("1 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 55.11 → 104.02 USD (+48.91).");
    expect(costHeadline(reviewPlan(planOf({ planned: TODAY }), "s"))).toBe("Monthly cost: 0.00 → 55.11 USD (+55.11)");
    expect(costHeadline(reviewPlan(planOf({ prior: TODAY }), "s"))).toBeUndefined();
  });

  it("prints the guard's JSON with the monthly cost added", () => {
    const r = reviewPlan(replaced, "demo-network");
    const json = JSON.parse(renderReview([r], decide([r]), loadConfig(LOCAL_CONFIG), "json"));
    expect(json).toMatchObject({ refused: true, stacks: [{ name: "demo-network", replace: 1 }], egressIps: { before: ["198.51.100.7"] }, monthlyCostUsd: { before: 55.11, after: 55.11 } });
    expect(json.findings.map((f: { rule: string }) => f.rule)).toEqual(["private-subnet-removed"]);
  });

  it("passes a plan whose egress IPs after apply are all in network.allowListedEgressIps, and refuses it without them", () => {
    const r = reviewPlan(replaced, "demo-network");
    expect(decideFor([r], loadConfig(LOCAL_CONFIG), false).refused).toBe(true);
    const admitted = derivedConfig(LOCAL_CONFIG, (c) => (c.network.allowListedEgressIps = ["198.51.100.7"]));
    expect(decideFor([r], admitted, false)).toMatchObject({ refused: false, because: "every egress IP after this plan is allow-listed" });
    expect(renderReview([r], decideFor([r], admitted, false), admitted)).toContain("**Allow-listed at the database:** 198.51.100.7; every egress IP after this plan is among them.");
    expect(() => derivedConfig(LOCAL_CONFIG, (c) => (c.network.allowListedEgressIps = ["198.51.100.0/24"]))).toThrow(/\$\.network\.allowListedEgressIps\[0\]: "198\.51\.100\.0\/24" does not match .* \(an IPv4 address, no range\)/);
  });

  it("writes SARIF for code scanning, pointing at each stack's plan file", () => {
    const r = reviewPlan(replaced, "demo-network", ".run/plans/demo-network.plan.json");
    const log = JSON.parse(renderReview([r], decide([r]), loadConfig(LOCAL_CONFIG), "sarif"));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(".run/plans/demo-network.plan.json");
  });
});

describe("heldByLeaving: what an allowed switch of NAT devices frees first", () => {
  const change = (address: string, type: string, actions: string[], before: object | null, after: object | null) => ({ address, type, mode: "managed", change: { actions, before, after } });
  /** The prior state the guard reads the holders from: each resource's values as `before` says. */
  const prior = (changes: ReturnType<typeof change>[]) => ({
    values: { root_module: { resources: changes.filter((c) => c.change.before).map((c) => ({ address: c.address, type: c.type, mode: "managed", values: c.change.before })) } },
  });

  it("names the device a plan removes while a new one takes its allocation, and nothing else", () => {
    const changes = [
      change("aws_eip_association.old", "aws_eip_association", ["delete"], { allocation_id: "eipalloc-1" }, null),
      change("aws_eip_association.other", "aws_eip_association", ["delete"], { allocation_id: "eipalloc-9" }, null),
      change("aws_nat_gateway.new", "aws_nat_gateway", ["create"], null, { allocation_id: "eipalloc-1" }),
      change("aws_eip.kept", "aws_eip", ["no-op"], { allocation_id: "eipalloc-1" }, { allocation_id: "eipalloc-1" }),
    ];
    const plan = { format_version: "1.2", resource_changes: changes, prior_state: prior(changes) };
    expect(heldByLeaving(plan as never)).toEqual(["aws_eip_association.old"]);
  });

  it("counts secondary allocations, and a replaced gateway; a plan that moves nothing frees nothing", () => {
    const changes = [
      change("aws_nat_gateway.old", "aws_nat_gateway", ["delete", "create"], { allocation_id: "eipalloc-1", secondary_allocation_ids: ["eipalloc-2"] }, { allocation_id: "eipalloc-3" }),
      change("aws_nat_gateway.new", "aws_nat_gateway", ["create"], null, { allocation_id: "eipalloc-4", secondary_allocation_ids: ["eipalloc-2"] }),
    ];
    const plan = { format_version: "1.2", resource_changes: changes, prior_state: prior(changes) };
    expect(heldByLeaving(plan as never)).toEqual(["aws_nat_gateway.old"]);
    expect(heldByLeaving({ format_version: "1.2", resource_changes: [] } as never)).toEqual([]);
  });
});

describe("the destinations the app's review compares", () => {
  it("are the database's ranges when public, and every public destination when the database is reached privately", () => {
    expect(destinationsOf(loadConfig(LOCAL_CONFIG))).toEqual(["203.0.113.50/32"]);
    expect(destinationsOf(derivedConfig(LOCAL_CONFIG, (c) => (c.lambda.database.cidrs = ["10.20.0.0/16"])))).toBeUndefined();
  });
});
