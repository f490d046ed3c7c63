/**
 * The corpus' variants: each network (scripts/corpus/networks/<style>) applied as it is, then changed one way.
 * A variant edits the network's files (exact text replaced) or adds files; whether it moves egress is not
 * written here: the generator applies it on the emulator and asks the oracle.
 */
export interface Variant {
  readonly name: string;
  /** what the variant does, in a reader's words */
  readonly what: string;
  /** [file, text, replacement] */
  readonly edits?: readonly (readonly [string, string, string])[];
  /** file → content, added beside the network */
  readonly add?: Readonly<Record<string, string>>;
  /** for a network written as a cdktf app (networks/<style>/app.ts): the variant argument it synthesizes */
  readonly synth?: string;
}

const M = "modules/net/main.tf";
const PEER = `resource "aws_vpc" "peer" {
  cidr_block = "172.16.0.0/16"
}

resource "aws_vpc_peering_connection" "peer" {
  vpc_id      = VPC
  peer_vpc_id = aws_vpc.peer.id
  auto_accept = true
}
`;
const peer = (vpc: string) => PEER.replace("VPC", vpc);

export const VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  constructs: [
    { name: "single-nat", what: "natPlacement perAz → single: the second zone's subnet moves to the first zone's NAT Gateway", synth: "single-nat" },
    { name: "secondary-address", what: "natGatewaySecondaryEips 0 → 1: each NAT Gateway gains an address", synth: "secondary-address" },
    { name: "half-to-other-nat", what: "an escape-hatch route: 0.0.0.0/1 of the first zone's table to the second zone's NAT Gateway", synth: "half-to-other-nat" },
    { name: "tags", what: "tags on the whole network", synth: "tags" },
    { name: "zone-added", what: "a third zone (its own subnets, NAT Gateway and Elastic IP)", synth: "zone-added" },
    { name: "peering-private-range", what: "172.16.0.0/16 of every private table sent to a peered VPC", synth: "peering-private-range" },
  ],
  module: [
    { name: "public-route-deleted", what: "the public table's 0.0.0.0/0 to the Internet Gateway deleted", edits: [[M, 'resource "aws_route" "public_internet" {\n  route_table_id         = aws_route_table.public.id\n  destination_cidr_block = "0.0.0.0/0"\n  gateway_id             = aws_internet_gateway.this.id\n}', ""]] },
    { name: "nat-subnet-reassociated", what: "the first NAT's public subnet associated with a private table", edits: [[M, "  subnet_id      = aws_subnet.public[count.index].id\n  route_table_id = aws_route_table.public.id", "  subnet_id      = aws_subnet.public[count.index].id\n  route_table_id = count.index == 0 ? aws_route_table.private[1].id : aws_route_table.public.id"]] },
    { name: "half-to-other-nat", what: "0.0.0.0/1 of the first private table sent to the second zone's NAT Gateway", add: { "modules/net/half.tf": 'resource "aws_route" "half" {\n  route_table_id         = aws_route_table.private[0].id\n  destination_cidr_block = "0.0.0.0/1"\n  nat_gateway_id         = aws_nat_gateway.this[1].id\n}\n' } },
    { name: "association-moved", what: "the second private subnet associated with the first zone's table", edits: [[M, "  route_table_id = aws_route_table.private[count.index].id", "  route_table_id = aws_route_table.private[0].id"]] },
    { name: "nat-retargeted", what: "the second private table's default route pointed at the first zone's NAT Gateway", edits: [[M, "  nat_gateway_id         = aws_nat_gateway.this[count.index].id", "  nat_gateway_id         = aws_nat_gateway.this[0].id"]] },
    { name: "tags", what: "tags on the VPC, the NAT Gateways and the private tables", edits: [[M, "resource \"aws_nat_gateway\" \"this\" {\n  count         = length(var.zones)", "resource \"aws_nat_gateway\" \"this\" {\n  tags          = { Team = \"db\" }\n  count         = length(var.zones)"], [M, "resource \"aws_vpc\" \"this\" {\n  cidr_block = var.cidr", "resource \"aws_vpc\" \"this\" {\n  tags       = { Team = \"db\" }\n  cidr_block = var.cidr"]] },
    { name: "peering-private-range", what: "172.16.0.0/16 of every private table sent to a peered VPC", add: { "modules/net/peer.tf": `${peer("aws_vpc.this.id")}\nresource "aws_route" "peer" {\n  count                     = length(var.zones)\n  route_table_id            = aws_route_table.private[count.index].id\n  destination_cidr_block    = "172.16.0.0/16"\n  vpc_peering_connection_id = aws_vpc_peering_connection.peer.id\n}\n` } },
    { name: "public-subnet-added", what: "a third public subnet on the public table", add: { "modules/net/more.tf": 'resource "aws_subnet" "extra" {\n  vpc_id     = aws_vpc.this.id\n  cidr_block = cidrsubnet(var.cidr, 8, 5)\n}\n\nresource "aws_route_table_association" "extra" {\n  subnet_id      = aws_subnet.extra.id\n  route_table_id = aws_route_table.public.id\n}\n' } },
    { name: "private-route-forgotten", what: "the private default routes removed from the configuration by a removed block (destroy = false)", edits: [[M, 'resource "aws_route" "private_nat" {\n  count                  = length(var.zones)\n  route_table_id         = aws_route_table.private[count.index].id\n  destination_cidr_block = "0.0.0.0/0"\n  nat_gateway_id         = aws_nat_gateway.this[count.index].id\n}', "removed {\n  from = aws_route.private_nat\n  lifecycle {\n    destroy = false\n  }\n}"]] },
    { name: "private-subnet-added", what: "a third private subnet on the first zone's table", add: { "modules/net/more.tf": 'resource "aws_subnet" "extra" {\n  vpc_id     = aws_vpc.this.id\n  cidr_block = cidrsubnet(var.cidr, 8, 20)\n}\n\nresource "aws_route_table_association" "extra" {\n  subnet_id      = aws_subnet.extra.id\n  route_table_id = aws_route_table.private[0].id\n}\n' } },
  ],
  inline: [
    { name: "main-association-to-public", what: "the VPC's main route table set to the public table", add: { "main-assoc.tf": 'resource "aws_main_route_table_association" "m" {\n  vpc_id         = aws_vpc.v.id\n  route_table_id = aws_route_table.public.id\n}\n' } },
    { name: "default-table-emptied", what: "the main table's inline routes emptied (route = [])", edits: [["main.tf", '  default_route_table_id = aws_vpc.v.default_route_table_id\n  route {\n    cidr_block     = "0.0.0.0/0"\n    nat_gateway_id = aws_nat_gateway.nat.id\n  }', "  default_route_table_id = aws_vpc.v.default_route_table_id\n  route                  = []"]] },
    { name: "public-inline-route-dropped", what: "the public table's inline routes emptied (route = [])", edits: [["main.tf", '  vpc_id = aws_vpc.v.id\n  route {\n    cidr_block = "0.0.0.0/0"\n    gateway_id = aws_internet_gateway.igw.id\n  }', "  vpc_id = aws_vpc.v.id\n  route  = []"]] },
    { name: "db-range-to-peering", what: "the database's range (203.0.113.0/24) sent from the main table to a peered VPC", add: { "peer.tf": peer("aws_vpc.v.id") }, edits: [["main.tf", '    nat_gateway_id = aws_nat_gateway.nat.id\n  }\n}', '    nat_gateway_id = aws_nat_gateway.nat.id\n  }\n  route {\n    cidr_block                = "203.0.113.0/24"\n    vpc_peering_connection_id = aws_vpc_peering_connection.peer.id\n  }\n}']] },
    { name: "tags", what: "tags on every table and subnet", edits: [["main.tf", 'resource "aws_subnet" "private_a" {\n', 'resource "aws_subnet" "private_a" {\n  tags              = { Team = "db" }\n'], ["main.tf", 'resource "aws_route_table" "public" {\n', 'resource "aws_route_table" "public" {\n  tags   = { Team = "db" }\n']] },
    { name: "peering-private-range", what: "172.16.0.0/16 of the main table sent to a peered VPC", add: { "peer.tf": peer("aws_vpc.v.id") }, edits: [["main.tf", '    nat_gateway_id = aws_nat_gateway.nat.id\n  }\n}', '    nat_gateway_id = aws_nat_gateway.nat.id\n  }\n  route {\n    cidr_block                = "172.16.0.0/16"\n    vpc_peering_connection_id = aws_vpc_peering_connection.peer.id\n  }\n}']] },
    { name: "public-subnet-added", what: "a second public subnet on the public table", add: { "more.tf": 'resource "aws_subnet" "public_c" {\n  vpc_id     = aws_vpc.v.id\n  cidr_block = "10.50.1.0/24"\n}\n\nresource "aws_route_table_association" "public_c" {\n  subnet_id      = aws_subnet.public_c.id\n  route_table_id = aws_route_table.public.id\n}\n' } },
    { name: "private-subnet-added", what: "a third private subnet, following the main table", add: { "more.tf": 'resource "aws_subnet" "private_d" {\n  vpc_id     = aws_vpc.v.id\n  cidr_block = "10.50.12.0/24"\n}\n' } },
  ],
  instance: [
    { name: "group-egress-https-only", what: "the NAT's group lets only 443 out", edits: [["main.tf", 'resource "aws_vpc_security_group_egress_rule" "all" {\n  security_group_id = aws_security_group.nat.id\n  ip_protocol       = "-1"', 'resource "aws_vpc_security_group_egress_rule" "all" {\n  security_group_id = aws_security_group.nat.id\n  ip_protocol       = "tcp"\n  from_port         = 443\n  to_port           = 443']] },
    { name: "acl-deny-db-range", what: "the private subnet's ACL denies 203.0.113.0/24 out (rule 50)", add: { "deny.tf": 'resource "aws_network_acl_rule" "deny_db" {\n  network_acl_id = aws_network_acl.private.id\n  rule_number    = 50\n  egress         = true\n  protocol       = "-1"\n  rule_action    = "deny"\n  cidr_block     = "203.0.113.0/24"\n}\n' } },
    { name: "acl-no-replies", what: "the NAT subnet's ACL admits only the VPC's range in (no replies from the internet)", edits: [["main.tf", '  subnet_ids = [aws_subnet.public.id]\n  ingress {\n    rule_no    = 100\n    action     = "allow"\n    protocol   = "-1"\n    cidr_block = "0.0.0.0/0"', '  subnet_ids = [aws_subnet.public.id]\n  ingress {\n    rule_no    = 100\n    action     = "allow"\n    protocol   = "-1"\n    cidr_block = "10.60.0.0/16"']] },
    { name: "second-eip-on-interface", what: "a second Elastic IP associated with the NAT interface", add: { "second.tf": 'resource "aws_eip" "second" {\n  domain = "vpc"\n}\n\nresource "aws_eip_association" "second" {\n  allocation_id        = aws_eip.second.id\n  network_interface_id = aws_network_interface.nat.id\n}\n' } },
    { name: "instance-stopped", what: "the NAT instance's managed state set to stopped", add: { "state.tf": 'resource "aws_ec2_instance_state" "nat" {\n  instance_id = aws_instance.nat.id\n  state       = "stopped"\n}\n' } },
    { name: "source-dest-check-on", what: "source/destination checking turned on for the NAT interface", edits: [["main.tf", "  source_dest_check = false", "  source_dest_check = true"]] },
    { name: "ssh-from-office", what: "SSH into the NAT from an office range", add: { "ssh.tf": 'resource "aws_vpc_security_group_ingress_rule" "ssh" {\n  security_group_id = aws_security_group.nat.id\n  ip_protocol       = "tcp"\n  from_port         = 22\n  to_port           = 22\n  cidr_ipv4         = "198.51.100.0/24"\n}\n' } },
    { name: "acl-allow-below-allow-all", what: "an allow rule (200) for the database port below the private ACL's allow-all", add: { "allow.tf": 'resource "aws_network_acl_rule" "allow_db" {\n  network_acl_id = aws_network_acl.private.id\n  rule_number    = 200\n  egress         = true\n  protocol       = "6"\n  rule_action    = "allow"\n  cidr_block     = "203.0.113.0/24"\n  from_port      = 5432\n  to_port        = 5432\n}\n' } },
    { name: "tags", what: "tags on the interface, the instance and the Elastic IP", edits: [["main.tf", "  source_dest_check = false\n", '  source_dest_check = false\n  tags              = { Team = "db" }\n'], ["main.tf", 'resource "aws_eip" "nat" {\n  domain = "vpc"\n', 'resource "aws_eip" "nat" {\n  domain = "vpc"\n  tags   = { Team = "db" }\n']] },
    { name: "acl-rule-forgotten", what: "the private ACL's ingress rule removed from the configuration by a removed block", edits: [["main.tf", 'resource "aws_network_acl_rule" "private_in" {\n  network_acl_id = aws_network_acl.private.id\n  rule_number    = 100\n  egress         = false\n  protocol       = "-1"\n  rule_action    = "allow"\n  cidr_block     = "0.0.0.0/0"\n}', "removed {\n  from = aws_network_acl_rule.private_in\n  lifecycle {\n    destroy = false\n  }\n}"]] },
    { name: "peering-private-range", what: "192.168.0.0/16 of the private table sent to a peered VPC", add: { "peer.tf": `${peer("aws_vpc.v.id").replace("172.16.0.0/16", "192.168.0.0/16")}\nresource "aws_route" "peer" {\n  route_table_id            = aws_route_table.private.id\n  destination_cidr_block    = "192.168.0.0/16"\n  vpc_peering_connection_id = aws_vpc_peering_connection.peer.id\n}\n` } },
    { name: "private-subnet-added", what: "a second private subnet on the private table (the VPC's default ACL)", add: { "more.tf": 'resource "aws_subnet" "private_c" {\n  vpc_id     = aws_vpc.v.id\n  cidr_block = "10.60.11.0/24"\n}\n\nresource "aws_route_table_association" "private_c" {\n  subnet_id      = aws_subnet.private_c.id\n  route_table_id = aws_route_table.private.id\n}\n' } },
  ],
};
