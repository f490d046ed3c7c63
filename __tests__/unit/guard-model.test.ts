/**
 * The guard's egress model, class by class: every kind of plan that moves or cuts the egress of a private subnet
 * is refused (by a rule that names it, or by the backstop), and harmless plans pass. Each expected verdict is
 * AWS's documented behaviour, cited in the case: routing (longest prefix, the main table for subnets without
 * an association), network ACLs (stateless, ordered, checked at both subnets), security groups (stateful),
 * Elastic IP association (AllowReassociation by default) and the provider's adoption of default tables/ACLs.
 */
import { countsLine, decide, main, reviewDrift, reviewPlan } from "@fixed-egress/guard";
import type { PlanJson } from "@fixed-egress/guard";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ChangeSpec, Res, Values, planOf } from "../helpers/plans";

/** VPC 10.0.0.0/16: a public subnet (NAT Gateway, 0/0 → IGW), a private subnet with its own table, a second one following the main table. */
const NET: Res[] = [
  { address: "aws_vpc.v", type: "aws_vpc", values: { id: "vpc-1", cidr_block: "10.0.0.0/16", main_route_table_id: "rtb-main", default_network_acl_id: "acl-default" } },
  { address: "aws_internet_gateway.igw", type: "aws_internet_gateway", values: { id: "igw-1", vpc_id: "vpc-1" } },
  { address: "aws_subnet.pub", type: "aws_subnet", values: { id: "subnet-pub", vpc_id: "vpc-1", cidr_block: "10.0.0.0/24" } },
  { address: "aws_subnet.priv", type: "aws_subnet", values: { id: "subnet-priv", vpc_id: "vpc-1", cidr_block: "10.0.1.0/24" } },
  { address: "aws_subnet.main", type: "aws_subnet", values: { id: "subnet-main", vpc_id: "vpc-1", cidr_block: "10.0.2.0/24" } },
  { address: "aws_route_table.pub", type: "aws_route_table", values: { id: "rtb-pub", vpc_id: "vpc-1", route: [{ cidr_block: "0.0.0.0/0", gateway_id: "igw-1" }] } },
  { address: "aws_route.pub", type: "aws_route", values: { id: "r-pub", route_table_id: "rtb-pub", destination_cidr_block: "0.0.0.0/0", gateway_id: "igw-1" } },
  { address: "aws_route_table_association.pub", type: "aws_route_table_association", values: { id: "a-pub", subnet_id: "subnet-pub", route_table_id: "rtb-pub" } },
  { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", vpc_id: "vpc-1", route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-1" }] } },
  { address: "aws_route.priv", type: "aws_route", values: { id: "r-priv", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-1" } },
  { address: "aws_route_table_association.priv", type: "aws_route_table_association", values: { id: "a-priv", subnet_id: "subnet-priv", route_table_id: "rtb-priv" } },
  { address: "aws_route.main", type: "aws_route", values: { id: "r-main", route_table_id: "rtb-main", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-1" } },
  { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: { id: "nat-1", subnet_id: "subnet-pub", allocation_id: "eipalloc-1", public_ip: "198.51.100.7", connectivity_type: "public", secondary_allocation_ids: [] } },
  { address: "aws_eip.nat", type: "aws_eip", values: { id: "eipalloc-1", allocation_id: "eipalloc-1", public_ip: "198.51.100.7" } },
  { address: "aws_nat_gateway.other", type: "aws_nat_gateway", values: { id: "nat-2", subnet_id: "subnet-pub", allocation_id: "eipalloc-2", public_ip: "198.51.100.8", connectivity_type: "public", secondary_allocation_ids: [] } },
];

/** The same VPC behind a NAT instance: its own interface (source/dest check off, group sg-nat) holding eipalloc-1. */
const INST: Res[] = [
  ...NET.filter((r) => !["aws_nat_gateway.nat", "aws_route.priv", "aws_route.main", "aws_route_table.priv"].includes(r.address)),
  { address: "aws_route_table.priv", type: "aws_route_table", values: { id: "rtb-priv", vpc_id: "vpc-1", route: [] } },
  { address: "aws_route.priv", type: "aws_route", values: { id: "r-priv", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", network_interface_id: "eni-nat" } },
  { address: "aws_network_interface.nat", type: "aws_network_interface", values: { id: "eni-nat", subnet_id: "subnet-pub", source_dest_check: false, security_groups: ["sg-nat"] } },
  { address: "aws_instance.nat", type: "aws_instance", values: { id: "i-nat", instance_state: "running", primary_network_interface_id: "eni-boot", network_interface: [{ device_index: 1, network_interface_id: "eni-nat" }] } },
  { address: "aws_eip_association.nat", type: "aws_eip_association", values: { id: "eipassoc-1", allocation_id: "eipalloc-1", network_interface_id: "eni-nat" } },
  {
    address: "aws_security_group.nat",
    type: "aws_security_group",
    values: { id: "sg-nat", ingress: [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/16"] }], egress: [] },
  },
  { address: "aws_vpc_security_group_egress_rule.all", type: "aws_vpc_security_group_egress_rule", values: { id: "sgr-1", security_group_id: "sg-nat", ip_protocol: "-1", cidr_ipv4: "0.0.0.0/0" } },
];

const at = (world: Res[], address: string): Values => world.find((r) => r.address === address)!.values;
const upd = (world: Res[], address: string, patch: Values, unknown: Values = {}): ChangeSpec => ({ address, type: world.find((r) => r.address === address)!.type, actions: ["update"], before: at(world, address), after: { ...at(world, address), ...patch }, after_unknown: unknown });
const del = (world: Res[], address: string): ChangeSpec => ({ address, type: world.find((r) => r.address === address)!.type, actions: ["delete"], before: at(world, address) });
const add = (address: string, type: string, after: Values, unknown: Values = {}): ChangeSpec => ({ address, type, actions: ["create"], after, after_unknown: unknown });
const on = (world: Res[], ...changes: ChangeSpec[]) => planOf({ prior: world, changes });
const DEFAULT_ACL = { address: "aws_default_network_acl.d", type: "aws_default_network_acl", values: { id: "acl-default", default_network_acl_id: "acl-default", vpc_id: "vpc-1", ingress: [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }], egress: [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }] } };

/** [what, why AWS says so, plan, the rule expected to name it] */
const MOVES: [string, string, PlanJson, string][] = [
  ["the NAT's subnet re-associated to a table without 0/0 → IGW", "a NAT Gateway reaches the internet through its own subnet's route table", on(NET, upd(NET, "aws_route_table_association.pub", { route_table_id: "rtb-priv" })), "egress-path-changed"],
  ["the public default route deleted", "same", on(NET, del(NET, "aws_route.pub")), "egress-path-changed"],
  ["the public default route retargeted to a peering connection", "same", on(NET, upd(NET, "aws_route.pub", { gateway_id: "", vpc_peering_connection_id: "pcx-1" })), "egress-path-changed"],
  ["the Internet Gateway deleted", "same", on(NET, del(NET, "aws_internet_gateway.igw")), "egress-path-changed"],
  ["the Internet Gateway detached", "an IGW routes only for the VPC it is attached to", on(NET, upd(NET, "aws_internet_gateway.igw", { vpc_id: "" })), "egress-path-changed"],
  ["a main route table association to a table without a NAT route", "subnets without an explicit association follow the main table", on(NET, add("aws_main_route_table_association.m", "aws_main_route_table_association", { vpc_id: "vpc-1", route_table_id: "rtb-pub" })), "main-route-table-changed"],
  ["aws_default_route_table created", "the provider removes the adopted table's routes", on(NET, add("aws_default_route_table.d", "aws_default_route_table", { id: "rtb-main", default_route_table_id: "rtb-main", vpc_id: "vpc-1", route: [] })), "main-route-table-changed"],
  ["a new ACL on the private subnet admitting only 443 out", "ACLs are ordered and end in a deny", on(NET, add("aws_network_acl.p", "aws_network_acl", { id: "acl-p", vpc_id: "vpc-1", subnet_ids: ["subnet-priv"], egress: [{ rule_no: 100, action: "allow", protocol: "6", cidr_block: "0.0.0.0/0", from_port: 443, to_port: 443 }], ingress: [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }] })), "network-acl-changed"],
  ["a deny rule for the database's range on the default ACL", "a lower rule number wins", on([...NET, DEFAULT_ACL], add("aws_network_acl_rule.deny", "aws_network_acl_rule", { network_acl_id: "acl-default", rule_number: 50, egress: true, rule_action: "deny", protocol: "-1", cidr_block: "203.0.113.0/24", from_port: 0, to_port: 0 })), "network-acl-changed"],
  ["aws_default_network_acl created with no reply rule", "the provider removes every rule first; ACLs are stateless", on(NET, add("aws_default_network_acl.d", "aws_default_network_acl", { id: "acl-default", default_network_acl_id: "acl-default", vpc_id: "vpc-1", ingress: [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "10.0.0.0/16", from_port: 0, to_port: 0 }], egress: [{ rule_no: 100, action: "allow", protocol: "-1", cidr_block: "0.0.0.0/0", from_port: 0, to_port: 0 }] })), "network-acl-changed"],
  ["half the internet to the other NAT Gateway", "longest prefix wins", on(NET, add("aws_route.half", "aws_route", { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/1", nat_gateway_id: "nat-2" })), "egress-path-changed"],
  ["a database route to the NAT retargeted in place to the other NAT", "aws_route targets update in place", on([...NET, { address: "aws_route.db", type: "aws_route", values: { route_table_id: "rtb-priv", destination_cidr_block: "203.0.113.0/24", nat_gateway_id: "nat-1" } }], upd([...NET, { address: "aws_route.db", type: "aws_route", values: { route_table_id: "rtb-priv", destination_cidr_block: "203.0.113.0/24", nat_gateway_id: "nat-1" } }], "aws_route.db", { nat_gateway_id: "nat-2" })), "egress-path-changed"],
  ["VPN route propagation on the private table", "propagated routes can be more specific", on(NET, add("aws_vpn_gateway_route_propagation.p", "aws_vpn_gateway_route_propagation", { route_table_id: "rtb-priv", vpn_gateway_id: "vgw-1" })), "route-propagation-added"],
  ["a prefix list of public ranges sent to a transit gateway", "a prefix-list route covers each entry", on([...NET, { address: "aws_ec2_managed_prefix_list.pl", type: "aws_ec2_managed_prefix_list", values: { id: "pl-1", entry: [{ cidr: "203.0.113.0/24" }] } }], add("aws_route.pl", "aws_route", { route_table_id: "rtb-priv", destination_prefix_list_id: "pl-1", transit_gateway_id: "tgw-1" })), "private-route-added"],
  ["the NAT Gateway replaced create-before-destroy on its allocation", "Resource.AlreadyAssociated", on(NET, { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["create", "delete"], before: at(NET, "aws_nat_gateway.nat"), after: { allocation_id: "eipalloc-1", subnet_id: "subnet-pub", connectivity_type: "public" }, after_unknown: { id: true } }), "nat-gateway-same-allocation"],
  ["the NAT instance's group admits only 443 out", "security groups admit only what a rule allows", on(INST, del(INST, "aws_vpc_security_group_egress_rule.all"), add("aws_vpc_security_group_egress_rule.https", "aws_vpc_security_group_egress_rule", { security_group_id: "sg-nat", ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0" })), "nat-security-group-rules"],
  ["the NAT instance's inline ingress narrowed to one other subnet", "same", on(INST, upd(INST, "aws_security_group.nat", { ingress: [{ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.9.0/24"] }] })), "nat-security-group-rules"],
  ["a second Elastic IP put on the NAT interface", "AssociateAddress reassociates by default: the interface's public IP is swapped", on([...INST, { address: "aws_eip.nat", type: "aws_eip", values: { id: "eipalloc-1", allocation_id: "eipalloc-1", public_ip: "198.51.100.7" } }], add("aws_eip.second", "aws_eip", { network_interface: "eni-nat" }, { id: true, allocation_id: true, public_ip: true })), "egress-path-changed"],
  ["a new association takes the NAT's address to another interface", "same", on(INST, add("aws_eip_association.other", "aws_eip_association", { allocation_id: "eipalloc-1", network_interface_id: "eni-other" })), "egress-path-changed"],
  ["aws_ec2_instance_state created stopped", "the provider stops the instance", on(INST, add("aws_ec2_instance_state.s", "aws_ec2_instance_state", { instance_id: "i-nat", state: "stopped" })), "egress-path-changed"],
];

const STOPPED = INST.map((r) => (r.address === "aws_instance.nat" ? { ...r, values: { ...r.values, instance_state: "stopped" } } : r));

const HARMLESS: [string, PlanJson][] = [
  ["a NAT instance stopped outside Terraform started again (egress comes back as it was)", on([...STOPPED, { address: "aws_ec2_instance_state.s", type: "aws_ec2_instance_state", values: { instance_id: "i-nat", state: "stopped" } }], upd([...STOPPED, { address: "aws_ec2_instance_state.s", type: "aws_ec2_instance_state", values: { instance_id: "i-nat", state: "stopped" } }], "aws_ec2_instance_state.s", { state: "running" }))],
  ["peering routes for private ranges (172.16.0.0/16, 10.99.0.0/16)", on(NET, add("aws_route.peer1", "aws_route", { route_table_id: "rtb-priv", destination_cidr_block: "172.16.0.0/16", vpc_peering_connection_id: "pcx-1" }), add("aws_route.peer2", "aws_route", { route_table_id: "rtb-priv", destination_cidr_block: "10.99.0.0/16", vpc_peering_connection_id: "pcx-1" }))],
  ["a private route forgotten by a removed block", on(NET, { address: "aws_route.priv", type: "aws_route", actions: ["forget"], before: at(NET, "aws_route.priv") })],
  ["tags on the NAT, the tables and the subnets", on(NET, ...["aws_nat_gateway.nat", "aws_route_table.priv", "aws_subnet.priv"].map((a) => upd(NET, a, { tags: { Team: "db" } })))],
  ["SSH into the NAT instance from an office range", on(INST, add("aws_vpc_security_group_ingress_rule.ssh", "aws_vpc_security_group_ingress_rule", { security_group_id: "sg-nat", ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "198.51.100.0/24" }))],
  ["an ACL allow rule added to an allow-all default ACL", on([...NET, DEFAULT_ACL], add("aws_network_acl_rule.ok", "aws_network_acl_rule", { network_acl_id: "acl-default", rule_number: 200, egress: true, rule_action: "allow", protocol: "6", cidr_block: "203.0.113.0/24", from_port: 5432, to_port: 5432 }))],
  ["a new public subnet on the public table", on(NET, add("aws_subnet.pub2", "aws_subnet", { vpc_id: "vpc-1", cidr_block: "10.0.3.0/24" }, { id: true }), add("aws_route_table_association.pub2", "aws_route_table_association", { route_table_id: "rtb-pub" }, { subnet_id: true, id: true }))],
  ["the main table made explicit (an association to the table that is main already)", on(NET, add("aws_main_route_table_association.m", "aws_main_route_table_association", { vpc_id: "vpc-1", route_table_id: "rtb-main" }))],
];

describe("the egress model", () => {
  it.each(MOVES)("refuses %s (%s)", (_what, _why, plan, rule) => {
    const r = reviewPlan(plan, "s");
    expect(r.egressChanges.length).toBeGreaterThan(0);
    expect(r.findings.map((f) => f.rule)).toContain(rule);
    expect(decide([r]).refused).toBe(true);
  });

  it.each(HARMLESS)("passes %s", (_what, plan) => {
    const r = reviewPlan(plan, "s");
    expect(r.egressChanges).toEqual([]);
    expect(r.findings).toEqual([]);
  });

  it("sees subnets that follow the main table as private, and names the destinations that move and where", () => {
    const r = reviewPlan(on(NET, add("aws_route.half", "aws_route", { route_table_id: "rtb-main", destination_cidr_block: "0.0.0.0/1", nat_gateway_id: "nat-2" })), "s");
    expect(r.egressChanges.map((c) => c.subnet)).toEqual(["subnet-main"]);
    expect(r.findings[0].reason).toMatch(/0\.0\.0\.0\/1|1\.0\.0\.0\/8/);
    expect(r.findings[0].address).toBe("aws_route.half");
  });

  it("refuses the same-allocation replacement even when every address is allow-listed", () => {
    const r = reviewPlan(MOVES.find(([w]) => w.includes("create-before-destroy"))![2], "s");
    expect(decide([r], { allowListed: ["198.51.100.7", "198.51.100.8"] })).toMatchObject({ refused: true });
  });

  it("warns, and counts, a forget of a resource on the egress path", () => {
    const r = reviewPlan(HARMLESS.find(([w]) => w.startsWith("a private route forgotten"))![1], "s");
    expect(r.counts.forget).toBe(1);
    expect(countsLine(r)).toBe("0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to forget.");
    expect(r.warnings.map((w) => w.rule)).toEqual(["egress-path-forgotten"]);
  });

  it("narrows the comparison to --destinations: a move of 0.0.0.0/1 leaves a database in 203.0.113.0/24 alone", () => {
    const plan = MOVES.find(([w]) => w.startsWith("half the internet"))![2];
    expect(reviewPlan(plan, "s", undefined, { destinations: ["203.0.113.10"] }).findings).toEqual([]);
    expect(reviewPlan(plan, "s", undefined, { destinations: ["8.8.8.0/24"] }).findings.length).toBeGreaterThan(0);
    expect(() => reviewPlan(plan, "s", undefined, { destinations: ["10.9.0.0/16"] })).toThrow(/--destinations 10\.9\.0\.0\/16 names no public address/);
  });

  it("fails closed on a plan that changes resources it holds no state for (exit 2)", () => {
    const plan = { ...on(NET, del(NET, "aws_route.priv")), prior_state: undefined };
    const dir = mkdtempSync(join(tmpdir(), "fx-model-"));
    writeFileSync(join(dir, "p.plan.json"), JSON.stringify(plan));
    let err = "";
    expect(main(["review", join(dir, "p.plan.json")], { out: () => undefined, err: (t) => (err += t) })).toBe(2);
    expect(err).toMatch(/holds no prior state/);
  });

  it("judges drift nobody configures: a route added by hand to a private table, a secondary address added in the console", () => {
    const routeDrift = { address: "aws_route_table.priv", type: "aws_route_table", mode: "managed", change: { actions: ["update"], before: at(NET, "aws_route_table.priv"), after: { ...at(NET, "aws_route_table.priv"), route: [...(at(NET, "aws_route_table.priv").route as Values[]), { cidr_block: "203.0.113.0/24", vpc_peering_connection_id: "pcx-9" }] } } };
    const natDrift = { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", mode: "managed", change: { actions: ["update"], before: at(NET, "aws_nat_gateway.nat"), after: { ...at(NET, "aws_nat_gateway.nat"), secondary_allocation_ids: ["eipalloc-9"] } } };
    for (const d of [routeDrift, natDrift]) {
      const refreshed = NET.map((r) => (r.address === d.address ? { ...r, values: d.change.after } : r));
      const p = { ...planOf({ prior: refreshed }), resource_drift: [d], configuration: { root_module: { resources: [] } } } as PlanJson;
      const review = reviewDrift(p, "s");
      expect(review.findings.length).toBeGreaterThan(0);
      expect(review.drifted.map((x) => x.address)).toEqual([d.address]);
    }
  });

  it("reads aws 6 plans: a NAT Gateway address association added or removed, a regional NAT Gateway in automatic or manual mode", () => {
    const assoc = { nat_gateway_id: "nat-1", allocation_id: "eipalloc-5" };
    expect(reviewPlan(on(NET, add("aws_nat_gateway_eip_association.x", "aws_nat_gateway_eip_association", assoc)), "s").findings.map((f) => f.rule)).toContain("nat-gateway-address-association");
    const withAssoc = [...NET, { address: "aws_nat_gateway_eip_association.x", type: "aws_nat_gateway_eip_association", values: assoc }];
    expect(reviewPlan(on(withAssoc, del(withAssoc, "aws_nat_gateway_eip_association.x")), "s").findings.map((f) => f.rule)).toContain("nat-gateway-address-association");
    const regional = (zones: Values[]) => ({ id: "nat-r", availability_mode: "regional", vpc_id: "vpc-1", connectivity_type: "public", availability_zone_address: zones });
    const auto = on([...NET, { address: "aws_nat_gateway.r", type: "aws_nat_gateway", values: regional([]) }], upd(NET, "aws_route.priv", { nat_gateway_id: "nat-r" }));
    const automatic = reviewPlan(auto, "s");
    expect(automatic.egressChanges[0].to.kind).toBe("nat-regional-automatic");
    expect(decide([automatic]).refused).toBe(true);
    const manualNet = [...NET, { address: "aws_nat_gateway.r", type: "aws_nat_gateway", values: regional([{ availability_zone: "ap-northeast-1a", allocation_ids: ["eipalloc-1"] }]) }];
    const moved = reviewPlan(on(manualNet, upd(manualNet, "aws_route.priv", { nat_gateway_id: "nat-r" })), "s");
    expect(moved.egressChanges[0].to).toMatchObject({ kind: "nat", device: "nat-r", ips: ["198.51.100.7"] });
  });

  it("writes no 'fail' in a passing review, in any format (Atlantis counts it as a failure)", () => {
    const dir = mkdtempSync(join(tmpdir(), "fx-atlantis-"));
    writeFileSync(join(dir, "ok.plan.json"), JSON.stringify(HARMLESS.find(([w]) => w.startsWith("tags"))![1]));
    for (const format of ["markdown", "json", "sarif"]) {
      let out = "";
      expect(main(["review", "--format", format, join(dir, "ok.plan.json")], { out: (t) => (out += t), err: (t) => (out += t) })).toBe(0);
      expect(out.toLowerCase()).not.toContain("fail");
    }
  });
});
