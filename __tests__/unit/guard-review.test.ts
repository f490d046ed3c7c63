/** The guard's review of a plan: counts, the egress IPs before and after, the verdict with an allow-list, and its three renderings. */
import "@microsoft/jest-sarif";
import { KNOWN_AFTER_APPLY, decide, renderJson, renderMarkdown, reviewPlan, sarifLog, stackOf } from "@fixed-egress/guard";
import { ChangeSpec, Res, TODAY, planOf, valuesAt } from "../helpers/plans";

const today = (address: string) => valuesAt(TODAY, address);

/** One NAT → one per zone on brought Elastic IPs: a second NAT Gateway on eipalloc-2 (a data source gives its IP), a table for the second zone, the second private subnet's association moved to it in place. */
function perZone(second: { allocation?: string; ip?: string } = { allocation: "eipalloc-2", ip: "198.51.100.8" }) {
  const nat2: Res = { address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", values: { connectivity_type: "public", secondary_allocation_ids: null, ...(second.allocation ? { allocation_id: second.allocation } : {}) } };
  const data: Res[] = second.allocation && second.ip ? [{ address: "data.aws_eip.second", type: "aws_eip", mode: "data", values: { id: second.allocation, public_ip: second.ip } }] : [];
  const eip2: Res[] = second.allocation ? [] : [{ address: "aws_eip.eip2", type: "aws_eip", values: { domain: "vpc" } }];
  const moved = { ...today("aws_route_table_association.priv2") };
  const changes: ChangeSpec[] = [
    { address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", actions: ["create"], after: nat2.values, after_unknown: { id: true, public_ip: true } },
    { address: "aws_route_table.priv2", type: "aws_route_table", actions: ["create"], after: {}, after_unknown: { id: true } },
    { address: "aws_route.priv2", type: "aws_route", actions: ["create"], after: { destination_cidr_block: "0.0.0.0/0" }, after_unknown: { nat_gateway_id: true, route_table_id: true } },
    { address: "aws_route_table_association.priv2", type: "aws_route_table_association", actions: ["update"], before: moved, after: { ...moved }, after_unknown: { route_table_id: true } },
    ...(second.allocation ? [] : [{ address: "aws_eip.eip2", type: "aws_eip", actions: ["create"], after: { domain: "vpc" }, after_unknown: { public_ip: true, id: true } }]),
  ];
  // As Terraform writes it: data sources read for the plan are in the prior state only.
  return planOf({ prior: [...TODAY, ...data], planned: [...TODAY, nat2, ...eip2], changes });
}

describe("the guard's review", () => {
  it("passes a first deploy (creates only) and shows the new egress IP as known after apply", () => {
    const planned: Res[] = [
      { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: { connectivity_type: "public", secondary_allocation_ids: null } },
      { address: "aws_eip.eip", type: "aws_eip", values: { domain: "vpc" } },
    ];
    const r = reviewPlan(planOf({ planned, changes: planned.map((x) => ({ address: x.address, type: x.type, actions: ["create"], after: x.values })) }), "demo-network");
    expect(r.findings).toEqual([]);
    expect(r.counts).toEqual({ add: 2, change: 0, replace: 0, destroy: 0, import: 0, forget: 0 });
    expect(r.egressBefore).toEqual([]);
    expect(r.egressAfter).toEqual([KNOWN_AFTER_APPLY]);
    const md = renderMarkdown([r], { decision: decide([r]) });
    expect(md).toContain("### demo-network");
    expect(md).toContain("2 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(md).toContain("| create | `aws_eip.eip` |");
    expect(md).toContain("- today: none (first deploy)\n- after this plan: known after apply");
    expect(md).toContain("No egress IP changes.");
  });

  it("reads today's and tomorrow's egress IPs from the NAT devices, secondary addresses included, never from outputs", () => {
    const nat = { ...today("aws_nat_gateway.nat"), secondary_allocation_ids: ["eipalloc-2"] };
    const prior: Res[] = [...TODAY.filter((x) => x.address !== "aws_nat_gateway.nat"), { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: nat }, { address: "aws_eip.eip2", type: "aws_eip", values: { id: "eipalloc-2", public_ip: "198.51.100.8" } }];
    const added = { ...nat, secondary_allocation_ids: ["eipalloc-2", "eipalloc-3"] };
    const planned = [...prior.filter((x) => x.address !== "aws_nat_gateway.nat"), { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: added }, { address: "aws_eip.eip3", type: "aws_eip", values: { domain: "vpc" } }];
    const r = reviewPlan(planOf({ prior, planned, changes: [{ address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["update"], before: nat, after: added }] }), "s");
    expect(r.egressBefore).toEqual(["198.51.100.7", "198.51.100.8"]);
    expect(r.egressAfter).toEqual(["198.51.100.7", "198.51.100.8", KNOWN_AFTER_APPLY]);
    expect(r.findings.map((f) => f.rule)).toEqual(["nat-gateway-addresses"]);
  });

  it("passes an adoption (imports, tags added) and shows the imported Elastic IPs as today's egress", () => {
    const eip = { id: "eipalloc-1", public_ip: "198.51.100.7", domain: "vpc", tags: { Name: "orders-egress" }, tags_all: { Name: "orders-egress" } };
    const tagged = { ...eip, tags: { ...eip.tags, Owner: "platform" }, tags_all: { ...eip.tags_all, Owner: "platform" } };
    const r = reviewPlan(
      planOf({
        planned: TODAY,
        changes: [
          { address: "aws_eip.eip", type: "aws_eip", actions: ["update"], before: eip, after: tagged, importing: { id: "eipalloc-1" } },
          { address: "aws_route.priv", type: "aws_route", actions: ["no-op"], before: today("aws_route.priv"), after: today("aws_route.priv"), importing: { id: "rtb-priv_0.0.0.0/0" } },
        ],
      }),
      "orders-network",
    );
    expect(r.findings).toEqual([]);
    expect(r.counts).toEqual({ add: 0, change: 1, replace: 0, destroy: 0, import: 2, forget: 0 });
    expect(r.egressBefore).toEqual(["198.51.100.7"]);
    const md = renderMarkdown([r], { decision: decide([r]) });
    expect(md).toContain("| import, update | `aws_eip.eip` |");
    expect(md).toContain("| import | `aws_route.priv` |");
    expect(md).toContain("The 1 import(s) marked update change in place only: tags.");
    expect(md).toContain("- today: 198.51.100.7\n- after this plan: 198.51.100.7");
  });

  describe("the verdict", () => {
    it("refuses one NAT → one per zone on a new Elastic IP, and says so in Markdown, naming the association that moves", () => {
      const r = reviewPlan(perZone({}), "s");
      expect(r.findings.map((f) => `${f.rule} ${f.address}`)).toEqual(["private-association-moved aws_route_table_association.priv2"]);
      expect(r.egressAfter).toEqual(["198.51.100.7", KNOWN_AFTER_APPLY]);
      const d = decide([r], { allowListed: ["198.51.100.7", "198.51.100.8"] });
      expect(d).toEqual({ refused: true, because: `egress IPs after this plan that the allow-list does not hold: ${KNOWN_AFTER_APPLY}`, outsideAllowList: [KNOWN_AFTER_APPLY] });
      const md = renderMarkdown([r], { decision: decide([r]) });
      expect(md).toContain("**The egress path changes: this plan is refused.**");
      expect(md).toContain("- aws_route_table_association.priv2 would move private subnet subnet-priv2 from route table rtb-priv to a route table known only after apply in place");
      expect(md).toContain("[private-association-moved]");
    });

    it("passes one NAT → one per zone on brought Elastic IPs when both addresses are allow-listed, and refuses it when only today's is", () => {
      const r = reviewPlan(perZone(), "s");
      expect(r.egressAfter).toEqual(["198.51.100.7", "198.51.100.8"]);
      expect(decide([r], { allowListed: ["198.51.100.7"] })).toMatchObject({ refused: true, outsideAllowList: ["198.51.100.8"] });
      const passed = decide([r], { allowListed: ["198.51.100.8", "198.51.100.7"] });
      expect(passed).toEqual({ refused: false, because: "every egress IP after this plan is allow-listed", outsideAllowList: [] });
      const md = renderMarkdown([r], { decision: passed, allowListed: ["198.51.100.8", "198.51.100.7"] });
      expect(md).toContain("**Allow-listed at the database:** 198.51.100.8, 198.51.100.7; every egress IP after this plan is among them.");
      expect(md).toContain("**The egress path changes (every egress IP after this plan is allow-listed):**");
    });

    it("refuses an Elastic IP taken from one NAT device by another in one apply even when allow-listed; --allow-egress-change lets it through", () => {
      const r = reviewPlan(
        planOf({
          prior: TODAY,
          changes: [
            { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete"], before: today("aws_nat_gateway.nat") },
            { address: "aws_eip_association.nat", type: "aws_eip_association", actions: ["create"], after: { allocation_id: "eipalloc-1" } },
          ],
        }),
        "s",
      );
      expect(decide([r], { allowListed: ["198.51.100.7"] })).toMatchObject({ refused: true, because: "the change harms egress whatever is allow-listed (see the rule)" });
      expect(decide([r], { allowEgressChange: true })).toMatchObject({ refused: false, because: "allowed by --allow-egress-change" });
    });
  });

  it("gives each finding its rule id and a fingerprint that is stable across runs and differs between findings", () => {
    const plan = () => perZone({});
    const [a, b] = [reviewPlan(plan(), "s"), reviewPlan(plan(), "s")];
    expect(a.findings[0].fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(b.findings[0].fingerprint).toBe(a.findings[0].fingerprint);
    expect(reviewPlan(plan(), "other").findings[0].fingerprint).not.toBe(a.findings[0].fingerprint);
    const json = JSON.parse(renderJson([a], decide([a])));
    expect(json).toEqual({
      refused: true,
      because: "the egress path changes",
      stacks: [{ name: "s", add: 4, change: 1, replace: 0, destroy: 0, import: 0, forget: 0 }],
      egressIps: { before: ["198.51.100.7"], after: ["198.51.100.7", KNOWN_AFTER_APPLY] },
      findings: [{ rule: "private-association-moved", verdict: "refuse", stack: "s", address: "aws_route_table_association.priv2", action: "update", reason: expect.stringMatching(/^would move private subnet/), fingerprint: a.findings[0].fingerprint }],
      warnings: [],
    });
  });

  it("writes SARIF 2.1.0 that validates against the SARIF schema: every rule, one result per finding, the address as logical location", () => {
    const r = reviewPlan(perZone({}), "s");
    const endpoint = reviewPlan(planOf({ prior: TODAY, changes: [{ address: "aws_vpc_endpoint.s3", type: "aws_vpc_endpoint", actions: ["create"], after: { service_name: "s3", route_table_ids: ["rtb-priv"] } }] }), "t");
    const log = sarifLog({ findings: r.findings, warnings: endpoint.warnings, files: new Map([["s", "plans/s.plan.json"], ["t", "plans/t.plan.json"]]) });
    expect(log).toBeValidSarifLog();
    const run = (log.runs as any[])[0];
    expect(run.tool.driver.name).toBe("fixed-egress-guard");
    expect(run.tool.driver.rules.length).toBeGreaterThanOrEqual(15);
    expect(run.results.map((x: any) => [x.ruleId, x.level, x.locations[0].logicalLocations[0].fullyQualifiedName, x.locations[0].physicalLocation.artifactLocation.uri])).toEqual([
      ["private-association-moved", "error", "aws_route_table_association.priv2", "plans/s.plan.json"],
      ["gateway-endpoint-on-private-table", "warning", "aws_vpc_endpoint.s3", "plans/t.plan.json"],
    ]);
    expect(run.results[0].partialFingerprints["fixedEgressGuard/v1"]).toBe(r.findings[0].fingerprint);
    // The schema check is real: a level SARIF does not know fails it.
    run.results[0].level = "fatal";
    expect(log).not.toBeValidSarifLog();
  });

  it("names stacks after their plan files", () => {
    expect(stackOf(".run/plans/demo-network.plan.json")).toBe("demo-network");
    expect(stackOf("network.json")).toBe("network");
  });
});
