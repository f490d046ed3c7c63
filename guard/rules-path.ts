/**
 * Rules that name what the egress model reads beyond NAT devices and private routes: the main route table, the
 * network ACLs, a NAT instance's security group rules, propagated routes, aws 6's NAT address associations and
 * regional NAT Gateways, and `forget`. They speak for any change of their types; the review keeps a refusal
 * only where the model shows egress changing on a path that holds the resource.
 */
import { Rule, changes, gone } from "./change";
import { str, strings } from "./plan";

const touched = (action: string) => action !== "no-op" && action !== "read";
const did = (action: string) => (action === "create" ? "be created" : action === "update" ? "change in place" : action === "replace" ? "be replaced" : "be destroyed");

/** The backstop: the review writes its findings from the egress model's differences that no other rule names. */
export const BACKSTOP: Rule = {
  id: "egress-path-changed",
  types: ["*"],
  verdict: "refuse",
  title: "Any other change of where a private subnet's public traffic leaves, or from which address (the egress model's difference no rule names)",
  why: "The model computes, before and after the plan, the exit of every public destination of every private subnet; a difference no rule names is still a change of egress.",
  allowListCovers: true,
  check: () => undefined,
};

export const PATH_RULES: readonly Rule[] = [
  {
    id: "nat-gateway-same-allocation",
    types: ["aws_nat_gateway"],
    verdict: "refuse",
    title: "A NAT Gateway replaced create-before-destroy on the same Elastic IP allocation",
    why: "AWS refuses to give an allocation another NAT Gateway holds (Resource.AlreadyAssociated): the new gateway never becomes available and is left tainted, whatever is allow-listed.",
    allowListCovers: false,
    check: (c) => {
      const alloc = str(c.before?.allocation_id);
      if (c.action !== "replace" || c.createFirst !== true || !alloc || alloc !== str(c.after?.allocation_id)) return undefined;
      return `would be replaced create-before-destroy on allocation ${alloc}, which the old gateway still holds: AWS leaves the new gateway failed (Resource.AlreadyAssociated). Replace it destroy-first, or move to another allocation.`;
    },
  },
  {
    id: "nat-gateway-address-association",
    types: ["aws_nat_gateway_eip_association"],
    verdict: "refuse",
    title: "An Elastic IP associated with or taken from a NAT Gateway (aws 6 aws_nat_gateway_eip_association)",
    why: "A gateway's every address is an egress IP: one added is an address the database does not admit yet, one removed drops the connections on it.",
    allowListCovers: true,
    check: (c) =>
      c.action === "create" || gone(c)
        ? `would ${c.action === "create" ? "add" : "take"} allocation ${str((c.after ?? c.before)?.allocation_id) ?? "known only after apply"} ${c.action === "create" ? "to" : "from"} NAT Gateway ${str((c.after ?? c.before)?.nat_gateway_id) ?? "known only after apply"}: its addresses are egress IPs.`
        : undefined,
  },
  {
    id: "regional-nat-automatic",
    types: ["aws_nat_gateway"],
    verdict: "refuse",
    title: "A regional NAT Gateway in automatic mode (aws 6 availability_mode = \"regional\" without availability_zone_address)",
    why: "In automatic mode AWS adds addresses and zones outside any plan, so no review can say which address the database sees.",
    allowListCovers: false,
    check: (c) =>
      (c.action === "create" || c.action === "update" || c.action === "replace") && c.after?.availability_mode === "regional" && !(Array.isArray(c.after.availability_zone_address) && c.after.availability_zone_address.length > 0)
        ? "would send egress through a regional NAT Gateway in automatic mode: AWS picks its addresses outside any plan; set availability_zone_address with your own allocations (manual mode)."
        : undefined,
  },
  {
    id: "main-route-table-changed",
    types: ["aws_main_route_table_association", "aws_default_route_table"],
    verdict: "refuse",
    title: "The VPC's main route table replaced, or adopted as aws_default_route_table",
    why: "Subnets without an explicit association follow the main table; the provider empties a table it adopts before writing its routes.",
    allowListCovers: true,
    check: (c) => {
      if (c.type === "aws_default_route_table") return c.action === "create" ? "would adopt the VPC's main route table: the provider removes every route it has before writing the configured ones, so subnets that follow it lose their way out meanwhile, or for good." : undefined;
      return touched(c.action) ? `would ${did(c.action)}: it says which table subnets without an explicit association follow, so their egress follows the other table.` : undefined;
    },
  },
  {
    id: "network-acl-changed",
    types: ["aws_network_acl", "aws_network_acl_rule", "aws_network_acl_association", "aws_default_network_acl"],
    verdict: "refuse",
    title: "A network ACL, its rules or its subnets changed on the egress path",
    why: "ACLs are stateless and checked at both subnets: a deny, or a missing reply rule for the ephemeral ports, cuts the traffic; the provider empties a default ACL it adopts.",
    allowListCovers: true,
    check: (c) => {
      if (c.type === "aws_default_network_acl" && c.action === "create") return "would adopt the VPC's default network ACL: the provider removes every rule first, then writes only the configured ones.";
      return touched(c.action) ? `would ${did(c.action)}: it filters the private or the NAT subnet's traffic, both ways.` : undefined;
    },
  },
  {
    id: "nat-security-group-rules",
    types: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
    verdict: "refuse",
    title: "A NAT instance's security group rules changed",
    why: "A NAT instance forwards only what its groups admit in from the private subnets and out to the destination.",
    allowListCovers: true,
    check: (c) => (touched(c.action) && (c.type !== "aws_security_group" || gone(c) || changes(c, "ingress") || changes(c, "egress")) ? `would ${did(c.action)}: the NAT instance forwards only what its groups admit.` : undefined),
  },
  {
    id: "route-propagation-added",
    types: ["aws_vpn_gateway_route_propagation", "aws_route_table"],
    verdict: "refuse",
    title: "VPN route propagation turned on for a private route table",
    why: "Propagated routes are not in the plan: any of them can take public destinations away from the NAT.",
    allowListCovers: true,
    check: (c) => {
      if (c.type === "aws_vpn_gateway_route_propagation") return c.action === "create" ? `would propagate routes from ${str(c.after?.vpn_gateway_id) ?? "a VPN gateway"} into route table ${str(c.after?.route_table_id) ?? "known only after apply"}: which destinations they take is not in the plan.` : undefined;
      const added = strings(c.after?.propagating_vgws).filter((v) => !strings(c.before?.propagating_vgws).includes(v));
      return c.action === "update" && added.length > 0 ? `would propagate routes from ${added.join(", ")}: which destinations they take is not in the plan.` : undefined;
    },
  },
  {
    id: "egress-path-forgotten",
    types: ["*"],
    verdict: "warn",
    title: "A resource on the egress path removed from the configuration without being destroyed (a `removed` block)",
    why: "It stays in AWS and egress is unchanged, but no later plan or drift check of this configuration can see it.",
    allowListCovers: true,
    check: (c, ctx) => (c.action === "forget" && ctx.onPath.has(c.address) ? `would be forgotten (removed from the state only): it stays in AWS on the egress path, and later reviews of this configuration no longer see it.` : undefined),
  },
  BACKSTOP,
];
