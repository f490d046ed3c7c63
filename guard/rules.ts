/**
 * The egress rules: one entry each (id, the resource types it reads, refuse or warn, what it catches, why that
 * verdict), in the order a reader scans them. `check` returns the sentence that follows the resource's address,
 * or undefined when the change leaves egress alone. README's rule table is generated from this list.
 */
import { Rule, allocationOf, bypassesNat, changes, destinationOf, gone, isNatInstance, isNatInterface, targetOf, verb } from "./change";
import { str, strings } from "./plan";
import { STOPPING_UPDATES } from "./model";
import { PATH_RULES } from "./rules-path";
import { PUBLISHED_RULES } from "./rules-published";
import { TABLE_TYPES, inlineRoutes, isDefaultRoute, natTargetOf } from "./topology";

export type { Change, Rule, RuleContext, Verdict } from "./change";

export const RULES: readonly Rule[] = [
  {
    id: "nat-gateway-removed",
    types: ["aws_nat_gateway"],
    verdict: "refuse",
    title: "A NAT Gateway destroyed or replaced",
    why: "Egress through it stops until a new one is up (minutes), and a new gateway without the same allocation is a new IP.",
    allowListCovers: true,
    check: (c) => {
      if (!gone(c)) return undefined;
      const alloc = str(c.before?.allocation_id);
      if (c.action === "replace" && alloc !== undefined && alloc === c.after?.allocation_id) {
        return `would be replaced: it keeps Elastic IP allocation ${alloc}, but egress through it stops until the new NAT Gateway is up.`;
      }
      return `would be ${verb(c)}: egress through it stops, and its address (allocation ${alloc ?? "unknown"}) would no longer be the egress IP.`;
    },
  },
  {
    id: "nat-gateway-addresses",
    types: ["aws_nat_gateway"],
    verdict: "refuse",
    title: "A NAT Gateway's secondary addresses added, changed or emptied",
    why: "Secondary addresses are egress IPs too: one removed drops the connections on it, one added is an address the database does not admit yet.",
    allowListCovers: true,
    check: (c) => {
      if (c.action !== "update") return undefined;
      const keys = ["secondary_allocation_ids", "secondary_private_ip_addresses", "secondary_private_ip_address_count"].filter((k) => changes(c, k));
      if (keys.length === 0) return undefined;
      const before = strings(c.before?.secondary_allocation_ids);
      const after = c.unknown.secondary_allocation_ids === true ? undefined : strings(c.after?.secondary_allocation_ids);
      const removed = after ? before.filter((a) => !after.includes(a)) : before;
      const added = after ? after.filter((a) => !before.includes(a)) : [];
      const parts = [
        ...(removed.length > 0 ? [`drops secondary allocation(s) ${removed.join(", ")}`] : []),
        ...(added.length > 0 ? [`adds secondary allocation(s) ${added.join(", ")}`] : []),
        ...(after === undefined ? ["sets secondary allocations known only after apply"] : []),
      ];
      return `would change its secondary addresses (${parts.length > 0 ? parts.join("; ") : keys.join(", ")}): those are egress IPs too.`;
    },
  },
  {
    id: "eip-released",
    types: ["aws_eip"],
    verdict: "refuse",
    title: "An Elastic IP that a NAT device holds destroyed or replaced",
    why: "Its public IP is the address the database allow-lists; once released it is gone for good.",
    allowListCovers: true,
    check: (c, ctx) => {
      const alloc = allocationOf(c.before);
      if (!gone(c) || !alloc || !(ctx.topology.egressAllocations.has(alloc) || isNatInterface(ctx, c.before?.network_interface))) return undefined;
      return `would be ${verb(c)}: its public IP ${str(c.before?.public_ip) ?? "unknown"} is an egress IP the database allow-lists.`;
    },
  },
  {
    id: "eip-association-changed",
    types: ["aws_eip", "aws_eip_association"],
    verdict: "refuse",
    title: "The association of a NAT device's Elastic IP changed, replaced or removed",
    why: "The NAT loses its public IP until the address is associated again: egress stops in between.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (c.type === "aws_eip") {
        const alloc = allocationOf(c.before);
        if (c.action !== "update" || !alloc || !ctx.topology.egressAllocations.has(alloc)) return undefined;
        const moved = ["instance", "network_interface", "associate_with_private_ip"].filter((k) => changes(c, k));
        if (moved.length === 0) return undefined;
        const ip = str(c.before?.public_ip);
        return `would change its association (${moved.join(", ")}): the NAT loses its public IP${ip ? ` ${ip}` : ""} until it is associated again.`;
      }
      const b = c.before;
      const nat = isNatInterface(ctx, b?.network_interface_id) || isNatInstance(ctx, b?.instance_id) || ctx.topology.egressAllocations.has(String(b?.allocation_id));
      if (!b || !nat || !(c.action === "update" || gone(c))) return undefined;
      return `would be ${c.action === "update" ? "changed" : verb(c)}: Elastic IP ${str(b.allocation_id) ?? str(b.public_ip) ?? "unknown"} leaves its NAT, and egress through it stops until it is associated again.`;
    },
  },
  {
    id: "eip-taken-while-held",
    types: ["aws_nat_gateway", "aws_eip_association"],
    verdict: "refuse",
    title: "One apply moves an Elastic IP between a NAT Gateway and another NAT device",
    why: "AWS refuses to move an address a NAT Gateway holds, and a new NAT Gateway refuses an address another interface holds (between interfaces and instances it moves by itself, AllowReassociation being the default); nothing orders the two: the apply stops halfway with egress down. Do it in two applies.",
    allowListCovers: false,
    check: (c, ctx) => {
      if (c.action !== "create" && c.action !== "replace") return undefined;
      const wanted = [str(c.after?.allocation_id), ...strings(c.after?.secondary_allocation_ids)].filter((a): a is string => a !== undefined);
      // A NAT Gateway neither gives up its address nor takes one held elsewhere; between interfaces and
      // instances AWS moves it by itself (AllowReassociation is the default), so no order is needed there.
      const natGateway = (address: string) => /(^|\.)aws_nat_gateway\./.test(address);
      const taken = wanted.map((a) => [a, ctx.holders.get(a)] as const).filter(([, holder]) => holder !== undefined && holder !== c.address && (c.type === "aws_nat_gateway" || natGateway(holder)));
      if (taken.length === 0) return undefined;
      return taken.map(
        ([a, holder]) =>
          `would take Elastic IP allocation ${a}, which ${holder} holds: AWS refuses to associate an address another NAT device holds, so the apply would stop halfway with egress down; first remove ${holder} (one apply), then create this one (a second apply).`,
      );
    },
  },
  {
    id: "nat-instance-removed",
    types: ["aws_instance"],
    verdict: "refuse",
    title: "A NAT instance destroyed or replaced",
    why: "Egress stops until a new instance has booted and taken the interface (minutes); if the launch does not succeed it stays down.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (!gone(c) || !isNatInstance(ctx, c.before?.id)) return undefined;
      if (c.action === "delete") return `would be destroyed: it is a NAT instance (${String(c.before?.id)}); egress through it stops.`;
      return `would be replaced: it is a NAT instance (${String(c.before?.id)}); the new instance takes over its interface and Elastic IP (the egress IP stays), but egress stops until it has booted.`;
    },
  },
  {
    id: "nat-instance-stopped",
    types: ["aws_instance", "aws_ec2_instance_state"],
    verdict: "refuse",
    title: "An in-place update that stops a NAT instance (instance type, user data, a managed state other than running)",
    why: "The provider stops the instance, changes it and starts it again: no forwarding in between.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (c.action !== "update") return undefined;
      if (c.type === "aws_ec2_instance_state") {
        if (!isNatInstance(ctx, c.before?.instance_id) || !changes(c, "state") || c.after?.state === "running") return undefined;
        return `would set NAT instance ${String(c.before?.instance_id)} ${String(c.after?.state ?? "to a state known only after apply")}: egress through it stops.`;
      }
      if (!isNatInstance(ctx, c.before?.id)) return undefined;
      const keys = STOPPING_UPDATES.aws_instance.filter((k) => changes(c, k));
      if (keys.length === 0) return undefined;
      return `would be stopped, modified (${keys.join(", ")}) and started again: it is a NAT instance, and egress through it stops meanwhile.`;
    },
  },
  {
    id: "nat-forwarding-blocked",
    types: ["aws_network_interface", "aws_instance"],
    verdict: "refuse",
    title: "A NAT interface or instance gets source/destination checking, or other security groups",
    why: "With the check on, the interface drops every packet it forwards; other groups may not admit the private subnets' traffic.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (c.action !== "update") return undefined;
      const nat = c.type === "aws_network_interface" ? isNatInterface(ctx, c.before?.id) : isNatInstance(ctx, c.before?.id);
      if (!nat) return undefined;
      const out: string[] = [];
      if (changes(c, "source_dest_check") && c.after?.source_dest_check !== false) out.push("would turn source/destination checking on: a NAT that checks it drops every packet it forwards, and egress stops.");
      const groups = c.type === "aws_network_interface" ? "security_groups" : "vpc_security_group_ids";
      if (changes(c, groups)) out.push(`would change its security groups (${strings(c.before?.[groups]).join(", ") || "none"} → ${c.unknown[groups] === true ? "known only after apply" : strings(c.after?.[groups]).join(", ") || "none"}): the NAT forwards only what they admit.`);
      return out.length > 0 ? out : undefined;
    },
  },
  {
    id: "nat-interface-removed",
    types: ["aws_network_interface"],
    verdict: "refuse",
    title: "A NAT interface (the target of private default routes) destroyed or replaced",
    why: "It holds the Elastic IP and the routes point at it: egress stops, and a new interface is a new route target.",
    allowListCovers: true,
    check: (c, ctx) =>
      gone(c) && isNatInterface(ctx, c.before?.id)
        ? `would be ${verb(c)}: it is the NAT interface (${String(c.before?.id)}) that holds the egress IP and that the private routes target; egress through it stops, and a new interface is a new route target.`
        : undefined,
  },
  {
    id: "private-default-route-changed",
    types: ["aws_route"],
    verdict: "refuse",
    title: "A private route table's 0.0.0.0/0 route destroyed, replaced or pointed elsewhere",
    why: "The private subnets lose egress, or leave through another NAT with another IP.",
    allowListCovers: true,
    check: (c, ctx) => {
      const b = c.before;
      if (!b || !isDefaultRoute(b) || !natTargetOf(b) || !ctx.topology.privateTables.has(String(b.route_table_id))) return undefined;
      const was = natTargetOf(b)!;
      if (c.action === "delete") return `would be destroyed: the private subnets behind it lose the route to NAT ${was}.`;
      const unknown = ["nat_gateway_id", "network_interface_id", "instance_id"].some((k) => c.unknown[k] === true);
      const now = natTargetOf(c.after);
      const kind = str(b.nat_gateway_id) ? "NAT Gateway" : "NAT interface";
      if (unknown || (c.action !== "no-op" && now !== was)) {
        return `would point 0.0.0.0/0 at ${unknown ? `a ${kind} known only after apply` : (now ?? targetOf(c.after ?? {}))} instead of ${was}: these subnets' egress moves to another ${kind}.`;
      }
      if (c.action === "replace") return `would be replaced: its 0.0.0.0/0 to ${was} is deleted and created again, and these subnets have no egress in between.`;
      return undefined;
    },
  },
  {
    id: "private-route-added",
    types: ["aws_route", "aws_route_table", "aws_default_route_table"],
    verdict: "refuse",
    title: "A route added to a private route table that does not go to its NAT (a more specific route, peering, transit gateway, prefix list)",
    why: "Its destinations stop leaving through the NAT, so they no longer come from the egress IP.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (c.type === "aws_route") {
        const a = c.after;
        const table = str(a?.route_table_id);
        if (!a || (c.action !== "create" && c.action !== "replace") || !table || !ctx.topology.privateTables.has(table) || (c.before && isDefaultRoute(c.before))) return undefined;
        if (isDefaultRoute(a) || !bypassesNat(a, ctx)) return undefined;
        return `would send ${destinationOf(a)} from private route table ${table} to ${targetOf(a)}: that traffic no longer leaves through the NAT, so it no longer comes from the egress IP.`;
      }
      const id = str(c.before?.id);
      if (c.action !== "update" || !id || !ctx.topology.privateTables.has(id) || c.unknown.route === true) return undefined;
      const seen = new Set(inlineRoutes(c.before).map((r) => JSON.stringify(r)));
      const added = inlineRoutes(c.after).filter((r) => !seen.has(JSON.stringify(r)) && !isDefaultRoute(r) && bypassesNat(r, ctx));
      return added.length > 0
        ? added.map((r) => `would send ${destinationOf(r)} to ${targetOf(r)} (an inline route): that traffic no longer leaves through the NAT, so it no longer comes from the egress IP.`)
        : undefined;
    },
  },
  {
    id: "private-table-removed",
    types: TABLE_TYPES,
    verdict: "refuse",
    title: "A private route table destroyed or replaced, or its inline 0.0.0.0/0 route dropped or pointed elsewhere",
    why: "Its subnets fall back to the VPC's main route table, or leave through another NAT.",
    allowListCovers: true,
    check: (c, ctx) => {
      const id = str(c.before?.id);
      if (!id || !ctx.topology.privateTables.has(id)) return undefined;
      if (gone(c)) return `would be ${verb(c)}: it is a private route table (${id}); its subnets fall back to the VPC's main route table, which has no route to the NAT.`;
      const was = natTargetOf(inlineRoutes(c.before).find(isDefaultRoute));
      if (c.action !== "update" || !was) return undefined;
      if (c.unknown.route === true || (Array.isArray(c.unknown.route) && c.unknown.route.some((x) => x !== false) && !inlineRoutes(c.after).find(isDefaultRoute))) {
        return `would rewrite its inline routes with targets known only after apply: its 0.0.0.0/0 to ${was} may move, and egress with it.`;
      }
      const now = natTargetOf(inlineRoutes(c.after).find(isDefaultRoute));
      if (now === undefined) return `would drop its inline 0.0.0.0/0 route to ${was}: these subnets lose egress.`;
      if (now !== was) return `would point its inline 0.0.0.0/0 at ${now} instead of ${was}: these subnets' egress moves to another NAT.`;
      return undefined;
    },
  },
  {
    id: "private-association-moved",
    types: ["aws_route_table_association"],
    verdict: "refuse",
    title: "A private subnet's route table association destroyed, replaced, or moved in place to another table",
    why: "The subnet leaves through whatever the other table says (another NAT, another IP), or through nothing.",
    allowListCovers: true,
    check: (c, ctx) => {
      const subnet = str(c.before?.subnet_id);
      if (!subnet || !ctx.topology.privateSubnets.has(subnet)) return undefined;
      if (gone(c)) return `would be ${verb(c)}: private subnet ${subnet} falls back to the VPC's main route table, which has no route to the NAT, and loses egress.`;
      if (c.action !== "update" || !changes(c, "route_table_id")) return undefined;
      const to = c.unknown.route_table_id === true ? "a route table known only after apply" : `route table ${String(c.after?.route_table_id)}`;
      return `would move private subnet ${subnet} from route table ${String(c.before?.route_table_id)} to ${to} in place: its egress follows that table's 0.0.0.0/0 (another NAT, another IP), and the plan shows it only as an update.`;
    },
  },
  {
    id: "private-subnet-removed",
    types: ["aws_subnet"],
    verdict: "refuse",
    title: "A private subnet destroyed or replaced",
    why: "The functions' network interfaces live there: egress from it stops, and on AWS the delete waits for them and is refused.",
    allowListCovers: true,
    check: (c, ctx) =>
      gone(c) && ctx.topology.privateSubnets.has(String(c.before?.id))
        ? `would be ${verb(c)}: it is a private subnet (${String(c.before?.id)}) where the function's network interfaces live; on AWS the delete waits for them and is refused, and egress from it stops.`
        : undefined,
  },
  {
    id: "gateway-endpoint-on-private-table",
    types: ["aws_vpc_endpoint", "aws_vpc_endpoint_route_table_association"],
    verdict: "warn",
    title: "A gateway VPC endpoint (S3, DynamoDB) newly on a private route table",
    why: "Requests through an endpoint carry no public source IP, so policies that allow-list the egress IP (aws:SourceIp) start denying; the egress IP itself is unchanged, so this is said, not refused.",
    allowListCovers: true,
    check: (c, ctx) => {
      if (c.action === "delete" || c.action === "no-op" || c.action === "read") return undefined;
      const before = c.action === "update" ? strings(c.before?.route_table_ids) : [];
      const tables = c.type === "aws_vpc_endpoint" ? strings(c.after?.route_table_ids).filter((t) => !before.includes(t)) : [str(c.after?.route_table_id)].filter((t): t is string => t !== undefined);
      const service = str(c.after?.service_name) ?? "a gateway endpoint";
      return tables
        .filter((t) => ctx.topology.privateTables.has(t))
        .map((t) => `would route ${service} from private route table ${t} through a VPC endpoint: those requests carry no public source IP, so a bucket or table policy that allow-lists the egress IP (aws:SourceIp) denies them.`);
    },
  },
  ...PUBLISHED_RULES,
  ...PATH_RULES,
];

/** The rule with this id (for renderers and tests). */
export function ruleById(id: string): Rule {
  const r = RULES.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
}
