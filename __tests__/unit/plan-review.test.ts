import { PlanJson, PlanReviewError, costHeadline, parsePlan, privateTopology, renderJson, renderMarkdown, reviewPlan, stackOf } from "../../scripts/plan-review";

type Change = { address: string; type: string; actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };

type Prior = { address: string; type: string; values: Record<string, unknown> };

/** A plan whose prior state holds `prior` (what exists today) and whose planned values hold `planned`. */
function planWith(changes: Change[], prior: Prior[], planned: Prior[] = prior, region = "ap-northeast-1"): PlanJson {
  return {
    ...plan(changes),
    prior_state: { values: { root_module: { resources: prior.map((r) => ({ ...r, mode: "managed" })) } } },
    planned_values: { root_module: { resources: planned.map((r) => ({ ...r, mode: "managed" })) } },
    configuration: { provider_config: { aws: { expressions: { region: { constant_value: region } } } } },
  };
}

/** Today's single-NAT network: one private table (rtb-priv) with 0.0.0.0/0 → nat-111, subnet-priv on it; a public table too. */
const TODAY: Prior[] = [
  { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: { id: "nat-111", allocation_id: "eipalloc-1" } },
  { address: "aws_eip.eip", type: "aws_eip", values: { id: "eipalloc-1", public_ip: "198.51.100.7" } },
  { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", route: [] } },
  { address: "aws_route.priv", type: "aws_route", values: { id: "r-1", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" } },
  { address: "aws_route_table_association.priv", type: "aws_route_table_association", values: { id: "rtbassoc-1", subnet_id: "subnet-priv", route_table_id: "rtb-priv" } },
  { address: "aws_subnet.priv", type: "aws_subnet", values: { id: "subnet-priv" } },
  { address: "aws_route_table.pub", type: "aws_route_table", values: { id: "rtb-pub", route: [] } },
  { address: "aws_route.pub", type: "aws_route", values: { id: "r-2", route_table_id: "rtb-pub", destination_cidr_block: "0.0.0.0/0", gateway_id: "igw-1" } },
  { address: "aws_route_table_association.pub", type: "aws_route_table_association", values: { id: "rtbassoc-2", subnet_id: "subnet-pub", route_table_id: "rtb-pub" } },
  { address: "aws_subnet.pub", type: "aws_subnet", values: { id: "subnet-pub" } },
];
const today = (address: string) => TODAY.find((r) => r.address === address)!.values;

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
    expect(r.counts).toEqual({ add: 3, change: 0, replace: 0, destroy: 0, import: 0 });
    expect(r.egressAfter).toEqual(["known after apply"]);
    const md = renderMarkdown([r], false);
    expect(md).toContain("### demo-network");
    expect(md).toContain("3 to add, 0 to change, 0 to replace, 0 to destroy.");
    expect(md).toContain(`| create | \`${EIP}\` |`);
    expect(md).toContain("- today: none (first deploy)");
    expect(md).toContain("No egress IP changes.");
  });

  it("passes an adoption (imports, tags added) and shows the imported Elastic IPs as today's egress", () => {
    const eip = { id: "eipalloc-1", public_ip: "198.51.100.7", domain: "vpc", tags: { Name: "orders-egress" }, tags_all: { Name: "orders-egress" } };
    const tagged = { ...eip, tags: { ...eip.tags, Owner: "platform" }, tags_all: { ...eip.tags_all, Owner: "platform", Project: "fixed-egress" } };
    const p = plan(
      [
        { address: EIP, type: "aws_eip", actions: ["update"], before: eip, after: tagged },
        { address: ROUTE, type: "aws_route", actions: ["no-op"], before: today("aws_route.priv"), after: today("aws_route.priv") },
      ],
      { before: null, after: ["198.51.100.7"] },
    );
    p.resource_changes.forEach((c) => Object.assign(c.change, { importing: { id: String(c.change.before!.id) } }));
    const r = reviewPlan(p, "orders-network");
    expect(r.offenders).toEqual([]);
    expect(r.counts).toEqual({ add: 0, change: 1, replace: 0, destroy: 0, import: 2 });
    expect(r.egressBefore).toEqual(["198.51.100.7"]);
    const md = renderMarkdown([r], false);
    expect(md).toContain(`| import, update | \`${EIP}\` |`);
    expect(md).toContain(`| import | \`${ROUTE}\` |`);
    expect(md).toContain("The 1 import(s) marked update change in place only: tags.");
    expect(md).toContain("- today: 198.51.100.7\n- after this plan: 198.51.100.7");
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

  describe("every way egress can break", () => {
    const reasons = (changes: Change[], prior = TODAY) => reviewPlan(planWith(changes, prior), "s").findings.map((f) => `${f.address} ${f.action}: ${f.reason}`);

    it("tells private from public by where each table's default route goes, not by names", () => {
      const t = privateTopology(planWith([], TODAY));
      expect([...t.tables]).toEqual(["rtb-priv"]);
      expect([...t.subnets]).toEqual(["subnet-priv"]);
    });

    it("refuses a private subnet deleted or replaced, and passes a public one", () => {
      expect(reasons([{ address: "aws_subnet.priv", type: "aws_subnet", actions: ["delete", "create"], before: today("aws_subnet.priv"), after: {} }])).toEqual([
        "aws_subnet.priv replace: would be replaced: it is a private subnet (subnet-priv) where the function's network interfaces live; on AWS the delete waits for them and fails, and egress from it stops.",
      ]);
      expect(reasons([{ address: "aws_subnet.priv", type: "aws_subnet", actions: ["delete"], before: today("aws_subnet.priv") }])[0]).toMatch(/would be destroyed: it is a private subnet/);
      expect(reasons([{ address: "aws_subnet.pub", type: "aws_subnet", actions: ["delete", "create"], before: today("aws_subnet.pub"), after: {} }])).toEqual([]);
    });

    it("refuses a private route table or a private subnet's association deleted or replaced", () => {
      expect(reasons([{ address: "aws_route_table.priv", type: "aws_route_table", actions: ["delete"], before: today("aws_route_table.priv") }])).toEqual([
        "aws_route_table.priv delete: would be destroyed: it is a private route table (rtb-priv); its subnets fall back to the VPC's main route table, which has no route to the NAT.",
      ]);
      expect(reasons([{ address: "aws_route_table_association.priv", type: "aws_route_table_association", actions: ["create", "delete"], before: today("aws_route_table_association.priv"), after: {} }])).toEqual([
        "aws_route_table_association.priv replace: would be replaced: private subnet subnet-priv falls back to the VPC's main route table, which has no route to the NAT, and loses egress.",
      ]);
      expect(reasons([{ address: "aws_route_table_association.pub", type: "aws_route_table_association", actions: ["delete"], before: today("aws_route_table_association.pub") }])).toEqual([]);
    });

    it("refuses a private default route replaced even towards the same NAT Gateway", () => {
      const before = today("aws_route.priv");
      expect(reasons([{ address: "aws_route.priv", type: "aws_route", actions: ["delete", "create"], before, after: { ...before, id: undefined } }])).toEqual([
        "aws_route.priv replace: would be replaced: its 0.0.0.0/0 to nat-111 is deleted and created again, and these subnets have no egress in between.",
      ]);
    });

    it("counts an inline 0.0.0.0/0 in a route table exactly like an aws_route", () => {
      const inline = (nat?: string) => ({ id: "rtb-inline", route: nat ? [{ cidr_block: "0.0.0.0/0", nat_gateway_id: nat }, { cidr_block: "10.1.0.0/16", gateway_id: "pcx-1" }] : [] });
      const prior: Prior[] = [
        { address: "aws_route_table.inline", type: "aws_route_table", values: inline("nat-111") },
        { address: "aws_route_table_association.inline", type: "aws_route_table_association", values: { subnet_id: "subnet-x", route_table_id: "rtb-inline" } },
      ];
      const update = (after: Record<string, unknown>) => [{ address: "aws_route_table.inline", type: "aws_route_table", actions: ["update"], before: inline("nat-111"), after }];
      expect(reasons(update(inline("nat-222")), prior)).toEqual(["aws_route_table.inline update: would point its inline 0.0.0.0/0 at nat-222 instead of nat-111: these subnets' egress moves to another NAT."]);
      expect(reasons(update(inline()), prior)).toEqual(["aws_route_table.inline update: would drop its inline 0.0.0.0/0 route to nat-111: these subnets lose egress."]);
      expect(reasons(update({ ...inline("nat-111"), tags: { a: "b" } }), prior)).toEqual([]);
      // the subnet on that table is private too
      expect(reasons([{ address: "aws_subnet.x", type: "aws_subnet", actions: ["delete"], before: { id: "subnet-x" } }], prior)[0]).toMatch(/private subnet \(subnet-x\)/);
    });

    it("refuses an Elastic IP whose association changes, and any change of an aws_eip_association", () => {
      const eip = { ...today("aws_eip.eip"), network_interface: "eni-1" };
      expect(reasons([{ address: "aws_eip.eip", type: "aws_eip", actions: ["update"], before: eip, after: { ...eip, network_interface: "eni-2" } }])).toEqual([
        "aws_eip.eip update: would change its association (network_interface): the NAT loses its public IP 198.51.100.7 until it is associated again.",
      ]);
      expect(reasons([{ address: "aws_eip.eip", type: "aws_eip", actions: ["update"], before: eip, after: { ...eip, tags: { a: "b" } } }])).toEqual([]);
      expect(reasons([{ address: "aws_eip_association.a", type: "aws_eip_association", actions: ["update"], before: { allocation_id: "eipalloc-1" }, after: {} }])).toEqual([
        "aws_eip_association.a update: would be changed: Elastic IP eipalloc-1 leaves its NAT, and egress through it stops until it is associated again.",
      ]);
      expect(reasons([{ address: "aws_eip_association.a", type: "aws_eip_association", actions: ["delete"], before: { allocation_id: "eipalloc-1" } }])[0]).toMatch(/would be destroyed: Elastic IP eipalloc-1 leaves its NAT/);
    });
  });

  describe("a NAT instance", () => {
    const INSTANCE: Prior[] = [
      { address: "aws_network_interface.nat", type: "aws_network_interface", values: { id: "eni-nat" } },
      { address: "aws_instance.nat", type: "aws_instance", values: { id: "i-1", instance_type: "t4g.nano", network_interface: [{ device_index: 0, network_interface_id: "eni-nat" }] } },
      { address: "aws_eip_association.nat", type: "aws_eip_association", values: { allocation_id: "eipalloc-1", network_interface_id: "eni-nat" } },
      { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", route: [] } },
      { address: "aws_route.priv", type: "aws_route", values: { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", network_interface_id: "eni-nat" } },
      { address: "aws_route_table_association.priv", type: "aws_route_table_association", values: { subnet_id: "subnet-priv", route_table_id: "rtb-priv" } },
    ];
    const at = (a: string) => INSTANCE.find((r) => r.address === a)!.values;
    const review = (changes: Change[]) => reviewPlan(planWith(changes, INSTANCE), "s");

    it("refuses the NAT interface replaced or destroyed, and a route moved to another interface", () => {
      expect(review([{ address: "aws_network_interface.nat", type: "aws_network_interface", actions: ["delete", "create"], before: at("aws_network_interface.nat"), after: {} }]).offenders).toEqual([
        "aws_network_interface.nat would be replaced: it is the NAT interface (eni-nat) that holds the egress IP and that the private routes target; egress through it stops, and a new interface is a new route target.",
      ]);
      const route = at("aws_route.priv");
      expect(review([{ address: "aws_route.priv", type: "aws_route", actions: ["update"], before: route, after: { ...route, network_interface_id: "eni-other" } }]).offenders).toEqual([
        "aws_route.priv would point 0.0.0.0/0 at eni-other instead of eni-nat: these subnets' egress moves to another NAT interface.",
      ]);
    });

    it("warns, without refusing, when only the instance is replaced: same interface, same IP, a pause", () => {
      const r = review([{ address: "aws_instance.nat", type: "aws_instance", actions: ["delete", "create"], before: at("aws_instance.nat"), after: { instance_type: "t4g.micro" } }]);
      expect(r.offenders).toEqual([]);
      expect(r.warnings.map((w) => `${w.address} ${w.reason}`)).toEqual([
        "aws_instance.nat would be replaced: the new NAT instance takes over interface eni-nat and its Elastic IP (the egress IP stays), but egress pauses while it boots (about a reboot).",
      ]);
      expect(renderMarkdown([r], false)).toContain("**Egress pauses (allowed):**");
      expect(review([{ address: "aws_instance.nat", type: "aws_instance", actions: ["delete"], before: at("aws_instance.nat") }]).offenders[0]).toMatch(/would be destroyed: it is the NAT instance on eni-nat/);
    });
  });

  describe("cost and the JSON form", () => {
    const second: Prior = { address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", values: { id: "nat-222" } };
    const secondEip: Prior = { address: "aws_eip.eip2", type: "aws_eip", values: { id: "eipalloc-2" } };

    it("heads the review with the monthly cost change when the number of NAT Gateways changes (Tokyo list prices, 100 GB)", () => {
      const r = reviewPlan(planWith([{ address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", actions: ["create"] }], TODAY, [...TODAY, second, secondEip]), "s");
      expect(costHeadline(r)).toBe("Monthly cost: 55.11 → 104.02 USD (+48.91)");
      expect(renderMarkdown([r], false)).toContain("1 to add, 0 to change, 0 to replace, 0 to destroy. Monthly cost: 55.11 → 104.02 USD (+48.91).");
      const first = reviewPlan(planWith([], [], TODAY), "s");
      expect(costHeadline(first)).toBe("Monthly cost: 0.00 → 55.11 USD (+55.11)");
      expect(costHeadline(reviewPlan(planWith([], TODAY, TODAY), "s"))).toBeUndefined();
    });

    it("prints one JSON object with counts, egress IPs, findings and the monthly cost", () => {
      const r = reviewPlan(
        {
          ...planWith([{ address: "aws_subnet.priv", type: "aws_subnet", actions: ["delete", "create"], before: today("aws_subnet.priv"), after: {} }], TODAY),
          output_changes: { egress_ips: { before: ["198.51.100.7"], after: ["198.51.100.7"], after_unknown: [false] } },
        },
        "demo-network",
      );
      expect(JSON.parse(renderJson([r], false))).toEqual({
        refused: true,
        stacks: [{ name: "demo-network", add: 0, change: 0, replace: 1, destroy: 0, import: 0 }],
        egressIps: { before: ["198.51.100.7"], after: ["198.51.100.7"] },
        findings: [{ address: "aws_subnet.priv", action: "replace", reason: expect.stringMatching(/^would be replaced: it is a private subnet/) }],
        warnings: [],
        monthlyCostUsd: { before: 55.11, after: 55.11 },
      });
      expect(JSON.parse(renderJson([r], true)).refused).toBe(false);
    });
  });
});
