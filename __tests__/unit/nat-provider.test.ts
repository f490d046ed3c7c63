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
      const association = one(s, "aws_eip_association")[1];
      expect(association).toMatchObject({ allocation_id: ref("aws_eip", eip, "allocation_id"), network_interface_id: ref("aws_network_interface", eni) });
      // An Elastic IP may need the Internet Gateway before it can be associated: the association waits for it, as the instance does.
      const [igw] = one(s, "aws_internet_gateway");
      expect(association.depends_on).toEqual(expect.arrayContaining([`aws_internet_gateway.${igw}`]));
      // The instance boots after its interface holds the address: its user data needs no network before it.
      const [associationId] = one(s, "aws_eip_association");
      expect(one(s, "aws_instance")[1].depends_on).toEqual([...association.depends_on, `aws_eip_association.${associationId}`]);
    });

    it("keeps the AMI and user data it was created with: a newer SSM value or script never replaces it (ignore_changes), a given amiId is followed", () => {
      expect(one(s, "aws_instance")[1].lifecycle).toEqual({ ignore_changes: ["ami", "user_data"] });
      const pinned = synthNetwork({ natProvider: NatProvider.instance({ amiId: "ami-0123456789abcdef0" }) });
      expect(one(pinned, "aws_instance")[1].lifecycle).toEqual({ ignore_changes: ["user_data"] });
      const custom = synthNetwork({ natProvider: NatProvider.instance({ amiParameter: "/golden/nat-ami" }) });
      expect(all(custom, "aws_ssm_parameter", "data")[0][1].name).toBe("/golden/nat-ami");
    });

    it("manages each instance's state as running, so a stop outside Terraform is drift and a deploy starts it", () => {
      const [instance] = one(s, "aws_instance");
      expect(one(s, "aws_ec2_instance_state")[1]).toMatchObject({ instance_id: ref("aws_instance", instance), state: "running" });
    });

    it("repairs itself: a system status alarm recovers the instance, an instance status alarm reboots it; no topic, no CPU credit alarm", () => {
      const alarms = all(s, "aws_cloudwatch_metric_alarm").map(([, a]) => a);
      const [instance] = one(s, "aws_instance");
      expect(alarms.map((a) => a.metric_name).sort()).toEqual(["StatusCheckFailed_Instance", "StatusCheckFailed_System"]);
      const action = (metric: string) => alarms.find((a) => a.metric_name === metric)!.alarm_actions;
      expect(action("StatusCheckFailed_System")).toEqual([expect.stringMatching(/^arn:\$\{data\.aws_partition\.\w+\.partition\}:automate:\$\{data\.aws_region\.\w+\.name\}:ec2:recover$/)]);
      expect(action("StatusCheckFailed_Instance")).toEqual([expect.stringMatching(/:ec2:reboot$/)]);
      for (const a of alarms) expect(a.dimensions).toEqual({ InstanceId: ref("aws_instance", instance) });
      expect(alarms.find((a) => a.metric_name === "StatusCheckFailed_System")!.alarm_description).toMatch(/EC2 recovers the instance onto other hardware \(same interface, same Elastic IP\)/);
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

describe("NAT alarms with a topic", () => {
  const TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:nat-alarms";
  const alarmsOf = (s: Synthesized) => all(s, "aws_cloudwatch_metric_alarm").map(([, a]) => a);

  it("NAT Gateway: port allocation errors and dropped packets, each to the topic (firing and OK), each saying what to do", () => {
    const s = synthNetwork({ alarms: { topicArn: TOPIC } });
    const [gateway] = one(s, "aws_nat_gateway");
    const alarms = alarmsOf(s);
    expect(alarms.map((a) => a.metric_name).sort()).toEqual(["ErrorPortAllocation", "PacketsDropCount"]);
    for (const a of alarms) {
      expect(a).toMatchObject({ namespace: "AWS/NATGateway", dimensions: { NatGatewayId: ref("aws_nat_gateway", gateway) }, alarm_actions: [TOPIC], ok_actions: [TOPIC], treat_missing_data: "notBreaching" });
    }
    expect(alarms.find((a) => a.metric_name === "ErrorPortAllocation")!.alarm_description).toMatch(/55,000 simultaneous connections to one destination.*natGatewaySecondaryEips/);
    expect(alarmsOf(synthNetwork({}))).toEqual([]);
  });

  it("NAT instance: the status checks notify too, and a burstable type's CPU credits are watched", () => {
    const alarms = alarmsOf(synthNetwork({ alarms: { topicArn: TOPIC }, natProvider: NatProvider.instance() }));
    expect(alarms.map((a) => `${a.metric_name} ${a.alarm_actions.length}`).sort()).toEqual(["CPUCreditBalance 1", "StatusCheckFailed_Instance 2", "StatusCheckFailed_System 2"]);
    expect(alarmsOf(synthNetwork({ alarms: { topicArn: TOPIC }, natProvider: NatProvider.instance({ instanceType: "c7gn.medium" }) })).map((a) => a.metric_name)).not.toContain("CPUCreditBalance");
    expect(NatProvider.instance().alarmsPerDevice(true)).toBe(3);
    expect(NatProvider.instance().alarmsPerDevice(false)).toBe(2);
    expect(NatProvider.gateway().alarmsPerDevice(true)).toBe(2);
  });

  it("refuses a topic that is not an SNS topic ARN", () => {
    expect(() => synthNetwork({ alarms: { topicArn: "nat-alarms" } })).toThrow(/alarms\.topicArn: "nat-alarms" is not valid; give the SNS topic's ARN/);
  });
});
