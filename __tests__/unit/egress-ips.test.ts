/**
 * The egress IP inventory: the network's egress_ip_details output (zone, device, role of each address, beside
 * egress_ips), and make egress-ips' reading of it (a network applied before it existed included), its three
 * formats and its check against an allow-list (missing: exit 1; stale: named).
 */
import { TerraformOutput } from "cdktf";
import { FixedEgressNetwork, FixedEgressNetworkProps, NatProvider, networkOutputs } from "../../constructs";
import { checkReport, inventoryOf, renderInventory } from "../../jobs/egress-ips";
import { JobError } from "../../jobs/cli";
import { THREE_AZS, ZONES, networkProps } from "../helpers/network-props";
import { byPath, ref, synthStack } from "../helpers/synth";

const synth = (over: Partial<FixedEgressNetworkProps>) =>
  synthStack((scope) => {
    const network = new FixedEgressNetwork(scope, "network", networkProps(over));
    for (const { name, value } of networkOutputs(network)) new TerraformOutput(scope, name, { value });
  });

describe("egress_ip_details", () => {
  it("lists every address of every NAT Gateway with its zone, gateway and role, in egress_ips' order", () => {
    const s = synth({ ...THREE_AZS, natPlacement: "perAz", natGatewaySecondaryEips: 1 });
    const expected = ZONES.flatMap((zone) => {
      const device = ref("aws_nat_gateway", byPath(s, "aws_nat_gateway", `nat/gateway-${zone}`)[0], "id");
      return [
        { address: ref("aws_eip", byPath(s, "aws_eip", `nat/eip-${zone}`)[0], "public_ip"), zone, device, role: "primary" },
        { address: ref("aws_eip", byPath(s, "aws_eip", `nat/eip-${zone}-1`)[0], "public_ip"), zone, device, role: "secondary" },
      ];
    });
    expect(s.json.output.egress_ip_details.value).toEqual(expected);
    expect(s.json.output.egress_ips.value).toEqual(expected.map((d) => d.address));
  });

  it("names a NAT instance by its network interface, what the private routes target", () => {
    const s = synth({ natProvider: NatProvider.instance() });
    const [eni] = byPath(s, "aws_network_interface", `nat/interface-${ZONES[0]}`);
    expect(s.json.output.egress_ip_details.value).toEqual([
      { address: ref("aws_eip", byPath(s, "aws_eip", `nat/eip-${ZONES[0]}`)[0], "public_ip"), zone: ZONES[0], device: ref("aws_network_interface", eni, "id"), role: "primary" },
    ]);
  });
});

const DETAILS = [
  { address: "203.0.113.10", zone: "ap-northeast-1a", device: "nat-0a1", role: "primary" },
  { address: "203.0.113.11", zone: "ap-northeast-1a", device: "nat-0a1", role: "secondary" },
  { address: "203.0.113.20", zone: "ap-northeast-1c", device: "eni-0c2", role: "primary" },
];

describe("make egress-ips", () => {
  it("reads egress_ip_details, and egress_ips alone (with a note) from a network applied before it existed", () => {
    expect(inventoryOf({ egress_ip_details: DETAILS, egress_ips: DETAILS.map((d) => d.address) })).toEqual({ ips: DETAILS });
    const old = inventoryOf({ egress_ips: ["203.0.113.10"] });
    expect(old.ips).toEqual([{ address: "203.0.113.10", zone: "unknown", device: "unknown", role: "unknown" }]);
    expect(old.note).toMatch(/applied before it had the egress_ip_details output; its next deploy adds/);
    expect(() => inventoryOf({ vpc_id: "vpc-1" })).toThrow(new JobError("the network has no egress_ips output: deploy it first (make deploy)"));
  });

  it("prints a table, JSON, or one /32 a line", () => {
    const ips = inventoryOf({ egress_ip_details: DETAILS }).ips;
    expect(renderInventory("demo-network", ips, "text")).toBe(
      [
        "Egress IPs of demo-network (3):",
        "  address       zone             device   role",
        "  203.0.113.10  ap-northeast-1a  nat-0a1  primary",
        "  203.0.113.11  ap-northeast-1a  nat-0a1  secondary",
        "  203.0.113.20  ap-northeast-1c  eni-0c2  primary",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(renderInventory("demo-network", ips, "json"))).toEqual({ network: "demo-network", egress_ips: DETAILS });
    expect(renderInventory("demo-network", ips, "cidr")).toBe("203.0.113.10/32\n203.0.113.11/32\n203.0.113.20/32\n");
  });

  it("--check: a missing address fails (exit 1) and is named with where it leaves from; a stale one is named; all held passes", () => {
    const ips = inventoryOf({ egress_ip_details: DETAILS }).ips;
    const partial = checkReport("partner.txt", ips, ["203.0.113.10", "203.0.113.20", "198.51.100.7"]);
    expect(partial.code).toBe(1);
    expect(partial.text).toBe(
      [
        "missing: 203.0.113.11 (ap-northeast-1a, nat-0a1, secondary) is an egress IP partner.txt does not hold: traffic from it is refused",
        "stale: 198.51.100.7 is in partner.txt but is no egress IP of the network: remove it once nothing else leaves from it",
        "partner.txt lacks 1 of 3 egress IP(s): add them to the allow-list",
        "",
      ].join("\n"),
    );
    const all = checkReport("db.txt", ips, [...DETAILS.map((d) => d.address), "198.51.100.7"]);
    expect(all).toEqual({ code: 0, text: expect.stringMatching(/^stale: 198\.51\.100\.7 .*\ndb\.txt holds every egress IP \(3\), and 1 stale address\(es\)\n$/) });
    expect(checkReport("db.txt", ips, DETAILS.map((d) => d.address))).toEqual({ code: 0, text: "db.txt holds every egress IP (3)\n" });
  });
});
