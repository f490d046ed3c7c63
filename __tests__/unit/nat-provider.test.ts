/** The NAT provider strategy: the gateway provider is today's network, the instance provider a NAT instance per device. */
import { Construct } from "constructs";
import { EipAssociation } from "@cdktf/provider-aws/lib/eip-association";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { NetworkInterface } from "@cdktf/provider-aws/lib/network-interface";
import { TerraformOutput } from "cdktf";
import { FixedEgressNetwork, NAT_INSTANCE_USER_DATA, NatProvider, isArm64, natDeviceCount, networkOutputs } from "../../constructs";
import type { NatDevice, NatDevicesOptions } from "../../constructs";
import { ZONES, networkProps, THREE_AZS } from "../helpers/network-props";
import { all, byPath, one, ref, synthStack, Synthesized } from "../helpers/synth";

const synthNetwork = (over: Parameters<typeof networkProps>[0] = {}): Synthesized =>
  synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps(over)));

describe("NatProvider", () => {
  it("decides the device count in one place: one for single, one per AZ for perAz", () => {
    expect(natDeviceCount("single", 3)).toBe(1);
    expect(natDeviceCount("perAz", 3)).toBe(3);
  });

  it("knows Graviton types run arm64", () => {
    expect(["t4g.nano", "c7gn.large", "m6gd.xlarge"].map(isArm64)).toEqual([true, true, true]);
    expect(["t3.nano", "g5.xlarge", "m5.large"].map(isArm64)).toEqual([false, false, false]);
  });

  describe("instance", () => {
    const s = synthNetwork({ natProvider: NatProvider.instance() });

    it("creates no NAT Gateway: one instance in the first public subnet, from the latest AL2023 arm64 AMI for t4g.nano", () => {
      expect(all(s, "aws_nat_gateway")).toHaveLength(0);
      const [, instance] = one(s, "aws_instance");
      const [param, body] = all(s, "aws_ssm_parameter", "data")[0];
      expect(body.name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
      expect(instance.ami).toBe(`\${data.aws_ssm_parameter.${param}.insecure_value}`);
      expect(instance.instance_type).toBe("t4g.nano");
      expect(instance.key_name).toBeUndefined();
      expect(instance.metadata_options).toEqual({ http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 });
      expect(instance.root_block_device).toEqual({ encrypted: true, volume_type: "gp3", volume_size: 8, delete_on_termination: true });
      expect(instance.user_data).toBe(NAT_INSTANCE_USER_DATA);
      expect(instance.user_data_replace_on_change).toBe(true);
    });

    it("gives the Elastic IP to a dedicated interface (source/dest check off) that the instance uses as its primary", () => {
      const [eni, body] = one(s, "aws_network_interface");
      const [subnet] = byPath(s, "aws_subnet", "public/subnet-ap-northeast-1a");
      expect(body).toMatchObject({ subnet_id: ref("aws_subnet", subnet), source_dest_check: false });
      expect(one(s, "aws_instance")[1].network_interface).toEqual([{ device_index: 0, network_interface_id: ref("aws_network_interface", eni) }]);
      const [eip] = one(s, "aws_eip");
      expect(one(s, "aws_eip_association")[1]).toEqual({ allocation_id: ref("aws_eip", eip, "allocation_id"), network_interface_id: ref("aws_network_interface", eni) });
    });

    it("points every private route at that interface", () => {
      let network!: FixedEgressNetwork;
      synthStack((scope) => (network = new FixedEgressNetwork(scope, "network", networkProps({ natProvider: NatProvider.instance() }))));
      expect(network.privateDefaultRoutes.map((r) => r.node.id)).toEqual(["default-route-ap-northeast-1a", "default-route-ap-northeast-1c"]);
      const [eni] = one(s, "aws_network_interface");
      for (const i of [0, 1]) {
        const [, route] = byPath(s, "aws_route", `private/default-route-${ZONES[i]}`);
        expect(route).toEqual(expect.objectContaining({ destination_cidr_block: "0.0.0.0/0", network_interface_id: ref("aws_network_interface", eni) }));
        expect(route.nat_gateway_id).toBeUndefined();
      }
    });

    it("admits all traffic from the private subnets only, and sends anywhere", () => {
      const [group, sg] = byPath(s, "aws_security_group", "nat/instance-security-group");
      expect(sg.ingress).toEqual([expect.objectContaining({ protocol: "-1", cidr_blocks: ["10.0.10.0/24", "10.0.11.0/24"] })]);
      expect(sg.egress).toEqual([expect.objectContaining({ protocol: "-1", cidr_blocks: ["0.0.0.0/0"] })]);
      expect(one(s, "aws_network_interface")[1].security_groups).toEqual([ref("aws_security_group", group)]);
    });

    it("perAz with brought EIPs: an instance, an interface and an association per AZ, each AZ routed to its own", () => {
      const ids = ["eipalloc-0a1b2c3d4e5f67890", "eipalloc-0a1b2c3d4e5f67891", "eipalloc-0a1b2c3d4e5f67892"];
      const t = synthNetwork({ ...THREE_AZS, natGateways: "perAz", eipAllocationIds: ids, natProvider: NatProvider.instance({ instanceType: "t3.micro" }) });
      expect(all(t, "aws_eip")).toHaveLength(0);
      expect(all(t, "aws_instance")).toHaveLength(3);
      expect(all(t, "aws_ssm_parameter", "data")[0][1].name).toMatch(/-x86_64$/);
      for (const i of [0, 1, 2]) {
        const [eni, body] = byPath(t, "aws_network_interface", `nat/interface-${ZONES[i]}`);
        const [subnet] = byPath(t, "aws_subnet", `public/subnet-${ZONES[i]}`);
        expect(body.subnet_id).toBe(ref("aws_subnet", subnet));
        expect(byPath(t, "aws_eip_association", `nat/eip-association-${ZONES[i]}`)[1].allocation_id).toBe(ids[i]);
        expect(byPath(t, "aws_route", `private/default-route-${ZONES[i]}`)[1].network_interface_id).toBe(ref("aws_network_interface", eni));
      }
    });

    it("takes a given AMI instead of the SSM lookup", () => {
      const t = synthNetwork({ natProvider: NatProvider.instance({ amiId: "ami-0123456789abcdef0" }) });
      expect(all(t, "aws_ssm_parameter", "data")).toHaveLength(0);
      expect(one(t, "aws_instance")[1].ami).toBe("ami-0123456789abcdef0");
    });
  });
});

/** A provider from outside the library: a community NAT image on an instance per device, as fck-nat runs it. */
class CommunityImageNat extends NatProvider {
  public readonly kind = "community-image";
  public readonly billing = { item: "ec2-instance", instanceType: "t4g.nano", rootVolumeGb: 2 };
  public readonly instances: Instance[] = [];

  constructor(private readonly ami: string) {
    super();
  }

  public createDevices(scope: Construct, o: NatDevicesOptions): NatDevice[] {
    return o.devices.map((d) => {
      const eni = new NetworkInterface(scope, `eni-${d.zone}`, { subnetId: d.publicSubnetId, sourceDestCheck: false, tags: o.tags(`fck-${o.name}-${d.zone}`) });
      new EipAssociation(scope, `address-${d.zone}`, { allocationId: d.allocationId, networkInterfaceId: eni.id });
      this.instances.push(new Instance(scope, `vm-${d.zone}`, { ami: this.ami, instanceType: "t4g.nano", networkInterface: [{ deviceIndex: 0, networkInterfaceId: eni.id }], dependsOn: o.dependsOn }));
      return { zone: d.zone, routeTarget: { networkInterfaceId: eni.id }, allocationIds: [d.allocationId], publicIps: [d.publicIp], billing: this.billing };
    });
  }
}

describe("a NatProvider defined outside the library", () => {
  const provider = new CommunityImageNat("ami-0123456789abcdef0");
  let network!: FixedEgressNetwork;
  const s = synthStack((scope) => {
    network = new FixedEgressNetwork(scope, "network", networkProps({ ...THREE_AZS, natPlacement: "perAz", natProvider: provider }));
    for (const { name, value } of networkOutputs(network)) new TerraformOutput(scope, name, { value });
  });

  it("builds a network: its devices in each zone's public subnet, keyed by zone, each holding the Elastic IP the network made for that zone", () => {
    expect(provider.instances).toHaveLength(3);
    ZONES.forEach((zone) => {
      const [eni, body] = byPath(s, "aws_network_interface", `nat/eni-${zone}`);
      expect(body.subnet_id).toBe(ref("aws_subnet", byPath(s, "aws_subnet", `public/subnet-${zone}`)[0]));
      const [eip] = byPath(s, "aws_eip", `nat/eip-${zone}`);
      expect(byPath(s, "aws_eip_association", `nat/address-${zone}`)[1]).toEqual({ allocation_id: ref("aws_eip", eip, "allocation_id"), network_interface_id: ref("aws_network_interface", eni) });
      expect(byPath(s, "aws_route", `private/default-route-${zone}`)[1]).toMatchObject({ network_interface_id: ref("aws_network_interface", eni) });
    });
    expect(all(s, "aws_nat_gateway")).toEqual([]);
  });

  it("reports its devices through the network as any provider's: egress IPs, route targets, billing", () => {
    expect(network.natDevices.map((d) => d.zone)).toEqual(ZONES);
    expect(s.json.output.egress_ips.value).toEqual(ZONES.map((z) => ref("aws_eip", byPath(s, "aws_eip", `nat/eip-${z}`)[0], "public_ip")));
    expect(s.json.output.nat_device_ids.value).toEqual(ZONES.map((z) => ref("aws_network_interface", byPath(s, "aws_network_interface", `nat/eni-${z}`)[0])));
    expect(network.natDevices.map((d) => d.billing.item)).toEqual(["ec2-instance", "ec2-instance", "ec2-instance"]);
  });

  it("cannot adopt NAT Gateways unless it says it can", () => {
    expect(provider.adoptionProblem()).toMatch(/^cannot adopt existing NAT Gateways; .* use NatProvider\.gateway\(\)/);
  });
});
