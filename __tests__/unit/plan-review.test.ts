import { PlanReviewError, parsePlan, renderMarkdown, reviewPlan, stackOf } from "../../scripts/plan-review";

type Change = { address: string; type: string; actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };

function plan(changes: Change[], egress?: { before?: unknown; after?: unknown; after_unknown?: unknown }) {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: "managed",
      type: c.type,
      name: c.address.split(".")[1],
      change: { actions: c.actions, before: c.before ?? null, after: c.after ?? null, after_unknown: c.after_unknown ?? {} },
    })),
    output_changes: (egress ? { egress_ips: { actions: ["update"], ...egress } } : {}) as Record<string, { before?: unknown; after?: unknown; after_unknown?: unknown }>,
  };
}

const EIP = "aws_eip.network_nat_eip-0_0741B080";
const NAT = "aws_nat_gateway.network_nat_gateway-0_81D5BEBC";
const ROUTE = "aws_route.network_private_default-route-0_2ABB97F5";

describe("plan review", () => {
  it("passes a first deploy (creates only) and shows the new egress IPs as known after apply", () => {
    const r = reviewPlan(
      plan(
        [
          { address: "aws_vpc.network_vpc_4E8F0223", type: "aws_vpc", actions: ["create"] },
          { address: EIP, type: "aws_eip", actions: ["create"] },
          { address: NAT, type: "aws_nat_gateway", actions: ["create"] },
        ],
        { before: null, after: [null], after_unknown: [true] },
      ),
      "demo-network",
    );
    expect(r.offenders).toEqual([]);
    expect(r.counts).toEqual({ add: 3, change: 0, replace: 0, destroy: 0 });
    expect(r.egressAfter).toEqual(["known after apply"]);
    const md = renderMarkdown([r], false);
    expect(md).toContain("### demo-network");
    expect(md).toContain("3 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(md).toContain(`| create | \`${EIP}\` |`);
    expect(md).toContain("- today: none (first deploy)");
    expect(md).toContain("No egress IP changes.");
  });

  it("fails when an Elastic IP would be destroyed, naming the address and the IP", () => {
    const r = reviewPlan(plan([{ address: EIP, type: "aws_eip", actions: ["delete"], before: { public_ip: "198.51.100.7" } }]), "demo-network");
    expect(r.offenders).toEqual([`${EIP} would be destroyed: its public IP 198.51.100.7 is an egress IP the database allow-lists.`]);
    expect(r.counts.destroy).toBe(1);
  });

  it("fails when an Elastic IP or a NAT Gateway would be replaced", () => {
    const r = reviewPlan(
      plan([
        { address: EIP, type: "aws_eip", actions: ["delete", "create"], before: { public_ip: "198.51.100.7" } },
        { address: NAT, type: "aws_nat_gateway", actions: ["create", "delete"], before: { allocation_id: "eipalloc-1" }, after: {} },
      ]),
      "demo-network",
    );
    expect(r.offenders).toHaveLength(2);
    expect(r.offenders[0]).toMatch(new RegExp(`^${EIP.replace(/\./g, "\\.")} would be replaced`));
    expect(r.offenders[1]).toMatch(/^aws_nat_gateway\.\S+ would be replaced: egress through it stops, and its address \(allocation eipalloc-1\) would no longer be the egress IP\.$/);
    expect(r.counts.replace).toBe(2);
  });

  it("says a replaced NAT Gateway that keeps its allocation keeps the IP but interrupts egress", () => {
    const r = reviewPlan(
      plan([{ address: NAT, type: "aws_nat_gateway", actions: ["delete", "create"], before: { allocation_id: "eipalloc-1" }, after: { allocation_id: "eipalloc-1" } }]),
      "demo-network",
    );
    expect(r.offenders).toEqual([`${NAT} would be replaced: it keeps Elastic IP allocation eipalloc-1, but egress through it stops until the new NAT Gateway is up.`]);
    expect(r.counts.replace).toBe(1);
  });

  it("fails when a private 0.0.0.0/0 route would point at another NAT Gateway", () => {
    const before = { destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" };
    const moved = reviewPlan(plan([{ address: ROUTE, type: "aws_route", actions: ["update"], before, after: { ...before, nat_gateway_id: "nat-222" } }]), "s");
    expect(moved.offenders).toEqual([`${ROUTE} would point 0.0.0.0/0 at nat-222 instead of nat-111: these subnets' egress moves to another NAT Gateway.`]);
    const unknown = reviewPlan(
      plan([{ address: ROUTE, type: "aws_route", actions: ["update"], before, after: { destination_cidr_block: "0.0.0.0/0" }, after_unknown: { nat_gateway_id: true } }]),
      "s",
    );
    expect(unknown.offenders[0]).toMatch(/at a NAT Gateway known only after apply instead of nat-111/);
  });

  it("passes harmless changes such as a tag, and an Internet Gateway route", () => {
    const r = reviewPlan(
      plan(
        [
          { address: "aws_vpc.v", type: "aws_vpc", actions: ["update"], before: { tags: { a: "1" } }, after: { tags: { a: "2" } } },
          { address: "aws_route.public", type: "aws_route", actions: ["update"], before: { destination_cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }, after: { destination_cidr_block: "0.0.0.0/0", gateway_id: "igw-2" } },
          { address: EIP, type: "aws_eip", actions: ["update"], before: { public_ip: "198.51.100.7" }, after: { public_ip: "198.51.100.7" } },
        ],
        { before: ["198.51.100.7"], after: ["198.51.100.7"], after_unknown: [false] },
      ),
      "s",
    );
    expect(r.offenders).toEqual([]);
    expect(r.counts.change).toBe(3);
    expect(renderMarkdown([r], false)).toContain("- after this plan: 198.51.100.7");
  });

  it("says the plan is refused unless --allow-egress-change, and lists offenders either way", () => {
    const r = reviewPlan(plan([{ address: EIP, type: "aws_eip", actions: ["delete"], before: { public_ip: "198.51.100.7" } }]), "s");
    expect(renderMarkdown([r], false)).toContain("this plan is refused");
    expect(renderMarkdown([r], true)).toContain("allowed by --allow-egress-change");
  });

  it("fails on text that is not JSON, or JSON that is not a plan, in one sentence", () => {
    expect(() => parsePlan("{nope", "x.json")).toThrow(PlanReviewError);
    expect(() => parsePlan("{nope", "x.json")).toThrow(/^x\.json is not JSON \(.*\); give the output of `terraform show -json <planfile>`$/);
    expect(() => parsePlan('{"a": 1}', "y.json")).toThrow(/^y\.json is JSON but not a Terraform plan/);
    expect(() => parsePlan("[]", "z.json")).toThrow(/^z\.json is JSON but not a Terraform plan/);
  });

  it("names stacks after their plan files", () => {
    expect(stackOf(".run/plans/demo-network.plan.json")).toBe("demo-network");
  });
});
