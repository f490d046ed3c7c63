/**
 * The guard's rule table on plan JSON: each rule refuses (or warns about) the change it names, every hole of a
 * plan that moves egress without replacing anything included, and leaves harmless changes alone.
 */
import { BACKSTOP, RULES, egressFindings, reviewPlan } from "@fixed-egress/guard";
import type { PlanJson } from "@fixed-egress/guard";
import { ChangeSpec, INSTANCE, Res, SECONDARY, TODAY, planOf, valuesAt } from "../helpers/plans";

const today = (address: string) => valuesAt(TODAY, address);
const inst = (address: string) => valuesAt(INSTANCE, address);
const on = (prior: Res[], ...changes: ChangeSpec[]) => planOf({ prior, changes });

/** [rule id, what happens, the plan, the sentence after the address (exact, or a pattern)] */
const CASES: [string, string, PlanJson, string | RegExp][] = [
  ["nat-gateway-removed", "a NAT Gateway destroyed", on(TODAY, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete"], before: today("aws_nat_gateway.nat") }),
    "would be destroyed: egress through it stops, and its address (allocation eipalloc-1) would no longer be the egress IP."],
  ["nat-gateway-removed", "a NAT Gateway replaced on the same allocation", on(TODAY, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete", "create"], before: today("aws_nat_gateway.nat"), after: { allocation_id: "eipalloc-1" } }),
    "would be replaced: it keeps Elastic IP allocation eipalloc-1, but egress through it stops until the new NAT Gateway is up."],
  ["nat-gateway-addresses", "a secondary address added", on(TODAY, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["update"], before: today("aws_nat_gateway.nat"), after: { ...today("aws_nat_gateway.nat"), secondary_allocation_ids: ["eipalloc-2"] } }),
    "would change its secondary addresses (adds secondary allocation(s) eipalloc-2): those are egress IPs too."],
  ["nat-gateway-addresses", "secondary addresses emptied (an import whose config leaves them out)",
    on(TODAY, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["update"], importing: { id: "nat-111" }, before: { ...today("aws_nat_gateway.nat"), secondary_allocation_ids: ["eipalloc-2", "eipalloc-3"] }, after: { ...today("aws_nat_gateway.nat"), secondary_allocation_ids: [] } }),
    "would change its secondary addresses (drops secondary allocation(s) eipalloc-2, eipalloc-3): those are egress IPs too."],
  ["eip-released", "the NAT Gateway's Elastic IP destroyed", on(TODAY, { address: "aws_eip.eip", type: "aws_eip", actions: ["delete"], before: today("aws_eip.eip") }),
    "would be destroyed: its public IP 198.51.100.7 is an egress IP the database allow-lists."],
  ["eip-association-changed", "the NAT interface's Elastic IP moved to another interface", on(INSTANCE, { address: "aws_eip.eip", type: "aws_eip", actions: ["update"], before: inst("aws_eip.eip"), after: { ...inst("aws_eip.eip"), network_interface: "eni-2" } }),
    "would change its association (network_interface): the NAT loses its public IP 198.51.100.7 until it is associated again."],
  ["eip-association-changed", "the NAT interface's association destroyed", on(INSTANCE, { address: "aws_eip_association.nat", type: "aws_eip_association", actions: ["delete"], before: inst("aws_eip_association.nat") }),
    "would be destroyed: Elastic IP eipalloc-1 leaves its NAT, and egress through it stops until it is associated again."],
  ["eip-taken-while-held", "gateway → instance in one apply: the gateway's allocation given to a new interface", on(TODAY,
      { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete"], before: today("aws_nat_gateway.nat") },
      { address: "aws_eip_association.nat", type: "aws_eip_association", actions: ["create"], after: { allocation_id: "eipalloc-1" }, after_unknown: { network_interface_id: true } }),
    /^would take Elastic IP allocation eipalloc-1, which aws_nat_gateway\.nat holds: AWS refuses .* first remove aws_nat_gateway\.nat \(one apply\), then create this one \(a second apply\)\.$/],
  ["nat-instance-removed", "the NAT instance replaced (a new AMI)", on(INSTANCE, { address: "aws_instance.nat", type: "aws_instance", actions: ["delete", "create"], before: inst("aws_instance.nat"), after: { instance_type: "t4g.nano" }, after_unknown: { id: true } }),
    "would be replaced: it is a NAT instance (i-1); the new instance takes over its interface and Elastic IP (the egress IP stays), but egress stops until it has booted."],
  ["nat-instance-stopped", "the NAT instance's type changed in place", on(INSTANCE, { address: "aws_instance.nat", type: "aws_instance", actions: ["update"], before: inst("aws_instance.nat"), after: { ...inst("aws_instance.nat"), instance_type: "t4g.micro" } }),
    "would be stopped, modified (instance_type) and started again: it is a NAT instance, and egress through it stops meanwhile."],
  ["nat-instance-stopped", "the NAT instance's managed state set to stopped", on([...INSTANCE, { address: "aws_ec2_instance_state.nat", type: "aws_ec2_instance_state", values: { instance_id: "i-1", state: "running" } }],
      { address: "aws_ec2_instance_state.nat", type: "aws_ec2_instance_state", actions: ["update"], before: { instance_id: "i-1", state: "running" }, after: { instance_id: "i-1", state: "stopped" } }),
    "would set NAT instance i-1 stopped: egress through it stops."],
  ["nat-forwarding-blocked", "source/destination check turned on", on(INSTANCE, { address: "aws_network_interface.nat", type: "aws_network_interface", actions: ["update"], before: inst("aws_network_interface.nat"), after: { ...inst("aws_network_interface.nat"), source_dest_check: true } }),
    "would turn source/destination checking on: a NAT that checks it drops every packet it forwards, and egress stops."],
  ["nat-forwarding-blocked", "the NAT interface's security groups replaced", on(INSTANCE, { address: "aws_network_interface.nat", type: "aws_network_interface", actions: ["update"], before: inst("aws_network_interface.nat"), after: { ...inst("aws_network_interface.nat") }, after_unknown: { security_groups: true } }),
    "would change its security groups (sg-nat → known only after apply): the NAT forwards only what they admit."],
  ["nat-interface-removed", "the NAT interface replaced", on(INSTANCE, { address: "aws_network_interface.nat", type: "aws_network_interface", actions: ["delete", "create"], before: inst("aws_network_interface.nat"), after: {} }),
    "would be replaced: it is the NAT interface (eni-nat) that holds the egress IP and that the private routes target; egress through it stops, and a new interface is a new route target."],
  ["private-default-route-changed", "a private default route pointed at another NAT Gateway", on(TODAY, { address: "aws_route.priv", type: "aws_route", actions: ["update"], before: today("aws_route.priv"), after: { ...today("aws_route.priv"), nat_gateway_id: "nat-222" } }),
    "would point 0.0.0.0/0 at nat-222 instead of nat-111: these subnets' egress moves to another NAT Gateway."],
  ["private-default-route-changed", "a private default route to a NAT known only after apply", on(TODAY, { address: "aws_route.priv", type: "aws_route", actions: ["update"], before: today("aws_route.priv"), after: { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0" }, after_unknown: { nat_gateway_id: true } }),
    "would point 0.0.0.0/0 at a NAT Gateway known only after apply instead of nat-111: these subnets' egress moves to another NAT Gateway."],
  ["private-default-route-changed", "a private default route replaced towards the same NAT", on(TODAY, { address: "aws_route.priv", type: "aws_route", actions: ["delete", "create"], before: today("aws_route.priv"), after: { ...today("aws_route.priv"), id: undefined } }),
    "would be replaced: its 0.0.0.0/0 to nat-111 is deleted and created again, and these subnets have no egress in between."],
  ["private-default-route-changed", "a private default route to a NAT interface destroyed", on(INSTANCE, { address: "aws_route.priv", type: "aws_route", actions: ["delete"], before: inst("aws_route.priv") }),
    "would be destroyed: the private subnets behind it lose the route to NAT eni-nat."],
  ["private-route-added", "the database's /32 sent to a peering connection", on(TODAY, { address: "aws_route.db", type: "aws_route", actions: ["create"], after: { route_table_id: "rtb-priv", destination_cidr_block: "203.0.113.50/32", vpc_peering_connection_id: "pcx-1", nat_gateway_id: null } }),
    "would send 203.0.113.50/32 from private route table rtb-priv to pcx-1: that traffic no longer leaves through the NAT, so it no longer comes from the egress IP."],
  ["private-route-added", "half the internet (0.0.0.0/1) sent straight to the Internet Gateway", on(TODAY, { address: "aws_route.half", type: "aws_route", actions: ["create"], after: { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/1", gateway_id: "igw-1" } }),
    "would send 0.0.0.0/1 from private route table rtb-priv to igw-1: that traffic no longer leaves through the NAT, so it no longer comes from the egress IP."],
  ["private-route-added", "a prefix list sent to a transit gateway", on(TODAY, { address: "aws_route.pl", type: "aws_route", actions: ["create"], after: { route_table_id: "rtb-priv", destination_prefix_list_id: "pl-1", transit_gateway_id: "tgw-1" } }),
    "would send pl-1 from private route table rtb-priv to tgw-1: that traffic no longer leaves through the NAT, so it no longer comes from the egress IP."],
  ["private-route-added", "an inline route added to a private table", on([...TODAY.filter((r) => r.address !== "aws_route.priv"), { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" }] } }],
      { address: "aws_route_table.priv", type: "aws_route_table", actions: ["update"], before: { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" }] }, after: { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" }, { cidr_block: "10.9.0.0/16", transit_gateway_id: "tgw-1" }] } }),
    "would send 10.9.0.0/16 to tgw-1 (an inline route): that traffic no longer leaves through the NAT, so it no longer comes from the egress IP."],
  ["private-table-removed", "a private route table destroyed", on(TODAY, { address: "aws_route_table.priv", type: "aws_route_table", actions: ["delete"], before: today("aws_route_table.priv") }),
    "would be destroyed: it is a private route table (rtb-priv); its subnets fall back to the VPC's main route table, which has no route to the NAT."],
  ["private-association-moved", "one NAT → one per zone: a private subnet's association moved in place to a new table", on(TODAY, { address: "aws_route_table_association.priv2", type: "aws_route_table_association", actions: ["update"], before: today("aws_route_table_association.priv2"), after: { ...today("aws_route_table_association.priv2") }, after_unknown: { route_table_id: true } }),
    "would move private subnet subnet-priv2 from route table rtb-priv to a route table known only after apply in place: its egress follows that table's 0.0.0.0/0 (another NAT, another IP), and the plan shows it only as an update."],
  ["private-association-moved", "a private subnet's association replaced", on(TODAY, { address: "aws_route_table_association.priv", type: "aws_route_table_association", actions: ["create", "delete"], before: today("aws_route_table_association.priv"), after: {} }),
    "would be replaced: private subnet subnet-priv falls back to the VPC's main route table, which has no route to the NAT, and loses egress."],
  ["private-subnet-removed", "a private subnet replaced", on(TODAY, { address: "aws_subnet.priv", type: "aws_subnet", actions: ["delete", "create"], before: today("aws_subnet.priv"), after: {} }),
    "would be replaced: it is a private subnet (subnet-priv) where the function's network interfaces live; on AWS the delete waits for them and is refused, and egress from it stops."],
  ["gateway-endpoint-on-private-table", "an S3 gateway endpoint created on the private and the public table", on(TODAY, { address: "aws_vpc_endpoint.s3", type: "aws_vpc_endpoint", actions: ["create"], after: { service_name: "com.amazonaws.ap-northeast-1.s3", route_table_ids: ["rtb-priv", "rtb-pub"] } }),
    "would route com.amazonaws.ap-northeast-1.s3 from private route table rtb-priv through a VPC endpoint: those requests carry no public source IP, so a bucket or table policy that allow-lists the egress IP (aws:SourceIp) denies them."],
  ["nat-gateway-same-allocation", "a NAT Gateway replaced create-before-destroy on its allocation", on(TODAY, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["create", "delete"], before: today("aws_nat_gateway.nat"), after: { allocation_id: "eipalloc-1" } }),
    /^would be replaced create-before-destroy on allocation eipalloc-1, which the old gateway still holds: AWS leaves the new gateway failed/],
  ["nat-gateway-address-association", "an aws 6 address association added", on(TODAY, { address: "aws_nat_gateway_eip_association.x", type: "aws_nat_gateway_eip_association", actions: ["create"], after: { nat_gateway_id: "nat-111", allocation_id: "eipalloc-5" } }),
    "would add allocation eipalloc-5 to NAT Gateway nat-111: its addresses are egress IPs."],
  ["regional-nat-automatic", "an aws 6 regional NAT Gateway created in automatic mode", on(TODAY, { address: "aws_nat_gateway.r", type: "aws_nat_gateway", actions: ["create"], after: { availability_mode: "regional", vpc_id: "vpc-1" } }),
    /^would send egress through a regional NAT Gateway in automatic mode/],
  ["main-route-table-changed", "the main route table association moved", on(TODAY, { address: "aws_main_route_table_association.m", type: "aws_main_route_table_association", actions: ["create"], after: { vpc_id: "vpc-1", route_table_id: "rtb-pub" } }),
    /^would be created: it says which table subnets without an explicit association follow/],
  ["network-acl-changed", "a network ACL rule added", on(TODAY, { address: "aws_network_acl_rule.deny", type: "aws_network_acl_rule", actions: ["create"], after: { network_acl_id: "acl-1", rule_number: 50, egress: true, rule_action: "deny", cidr_block: "203.0.113.0/24" } }),
    "would be created: it filters the private or the NAT subnet's traffic, both ways."],
  ["nat-security-group-rules", "a security group rule removed", on(INSTANCE, { address: "aws_vpc_security_group_egress_rule.all", type: "aws_vpc_security_group_egress_rule", actions: ["delete"], before: { security_group_id: "sg-nat", ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" } }),
    "would be destroyed: the NAT instance forwards only what its groups admit."],
  ["route-propagation-added", "VPN route propagation turned on for a private table", on(TODAY, { address: "aws_vpn_gateway_route_propagation.p", type: "aws_vpn_gateway_route_propagation", actions: ["create"], after: { vpn_gateway_id: "vgw-1", route_table_id: "rtb-priv" } }),
    "would propagate routes from vgw-1 into route table rtb-priv: which destinations they take is not in the plan."],
  ["prefix-list-entry-removed", "a prefix list entry (its own resource) destroyed while its address is an egress IP", on(TODAY, { address: "aws_ec2_managed_prefix_list_entry.e", type: "aws_ec2_managed_prefix_list_entry", actions: ["delete"], before: { cidr: "198.51.100.7/32", prefix_list_id: "pl-1" } }),
    "would be destroyed: 198.51.100.7/32 is still an egress IP, and partners whose security groups reference list pl-1 stop admitting it."],
  ["prefix-list-differs", "a prefix list created with the primary egress IP but not the secondary", on(SECONDARY, { address: "aws_ec2_managed_prefix_list.egress", type: "aws_ec2_managed_prefix_list", actions: ["create"], after: { name: "egress", entry: [{ cidr: "198.51.100.7/32", description: "primary" }] } }),
    "publishes the egress IPs and would differ from them: it lacks the egress IP(s) 198.51.100.8, so partners who reference it admit the wrong addresses."],
  ["egress-path-forgotten", "a private default route forgotten (a removed block)", on([...TODAY, { address: "aws_subnet.priv2", type: "aws_subnet", values: { id: "subnet-priv2" } }], { address: "aws_route.priv", type: "aws_route", actions: ["forget"], before: today("aws_route.priv") }),
    "would be forgotten (removed from the state only): it stays in AWS on the egress path, and later reviews of this configuration no longer see it."],
];

const said = (p: PlanJson) => {
  const { findings, warnings } = egressFindings(p, "s");
  return [...findings, ...warnings];
};

describe("the rule table", () => {
  it.each(CASES)("%s: %s", (rule, _what, plan, sentence) => {
    const found = said(plan);
    // Only the case's rule speaks, but where the old NAT Gateway is removed too.
    const alongside: Record<string, string[]> = { "eip-taken-while-held": ["nat-gateway-removed"], "nat-gateway-same-allocation": ["nat-gateway-removed"] };
    expect(found.filter((f) => f.rule !== rule).map((f) => f.rule)).toEqual(alongside[rule] ?? []);
    const mine = found.filter((f) => f.rule === rule);
    expect(mine).toHaveLength(1);
    if (typeof sentence === "string") expect(mine[0].reason).toBe(sentence);
    else expect(mine[0].reason).toMatch(sentence);
    expect(mine[0].verdict).toBe(RULES.find((r) => r.id === rule)!.verdict);
  });

  it("has a case for every rule, and unique ids", () => {
    // The backstop speaks from the egress model, not from one change: guard-model.test.ts has its cases.
    expect(RULES.map((r) => r.id).filter((id) => id !== BACKSTOP.id && !CASES.some(([rule]) => rule === id))).toEqual([]);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });

  it("leaves harmless changes alone: tags, a public route, a public subnet, an Elastic IP no NAT holds, routes of a public table", () => {
    const found = said(
      on(
        [...TODAY, { address: "aws_eip.bastion", type: "aws_eip", values: { id: "eipalloc-9", public_ip: "198.51.100.9", instance: "i-bastion" } }],
        { address: "aws_vpc.v", type: "aws_vpc", actions: ["update"], before: { tags: { a: "1" } }, after: { tags: { a: "2" } } },
        { address: "aws_route.pub", type: "aws_route", actions: ["update"], before: today("aws_route.pub"), after: { ...today("aws_route.pub"), gateway_id: "igw-2" } },
        { address: "aws_subnet.pub", type: "aws_subnet", actions: ["delete", "create"], before: today("aws_subnet.pub"), after: {} },
        { address: "aws_eip.bastion", type: "aws_eip", actions: ["delete"], before: { id: "eipalloc-9", public_ip: "198.51.100.9", instance: "i-bastion" } },
        { address: "aws_route.pubdb", type: "aws_route", actions: ["create"], after: { route_table_id: "rtb-pub", destination_cidr_block: "203.0.113.50/32", vpc_peering_connection_id: "pcx-1" } },
        { address: "aws_route.priv6", type: "aws_route", actions: ["create"], after: { route_table_id: "rtb-priv", destination_ipv6_cidr_block: "::/0", egress_only_gateway_id: "eigw-1" } },
        { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["update"], before: today("aws_nat_gateway.nat"), after: { ...today("aws_nat_gateway.nat"), tags: { Owner: "x" } } },
        { address: "aws_instance.app", type: "aws_instance", actions: ["update"], before: { id: "i-app", instance_type: "t3.micro" }, after: { id: "i-app", instance_type: "t3.small" } },
      ),
    );
    expect(found).toEqual([]);
  });

  it("reads a network inside a child module, with count-indexed addresses, as community modules write it", () => {
    const prefixed = TODAY.map((r) => ({ ...r, address: `module.vpc.${r.address.replace(/\.(\w+)$/, ".$1[0]")}` }));
    const found = said(on(prefixed, { address: "module.vpc.aws_route_table_association.priv2[0]", type: "aws_route_table_association", actions: ["update"], before: today("aws_route_table_association.priv2"), after: { ...today("aws_route_table_association.priv2"), route_table_id: "rtb-new" } }));
    expect(found.map((f) => `${f.rule} ${f.address}`)).toEqual(["private-association-moved module.vpc.aws_route_table_association.priv2[0]"]);
    expect(reviewPlan(on(prefixed), "s").egressBefore).toEqual(["198.51.100.7"]);
  });

  it("reads drift (a refresh-only plan's resource_drift) through the same rules", () => {
    const p = planOf({ prior: TODAY, drift: [{ address: "aws_route.priv", type: "aws_route", actions: ["delete"], before: today("aws_route.priv") }] });
    expect(egressFindings(p, "s", p.resource_drift).findings.map((f) => f.rule)).toEqual(["private-default-route-changed"]);
  });
});
