/** The NAT provider strategy: the gateway provider is today's network, the instance provider a NAT instance per device. */
import { readFileSync } from "fs";
import { join } from "path";
import { FixedEgressNetwork, NAT_INSTANCE_USER_DATA, NatProvider, isArm64, natDeviceCount } from "../../constructs";
import { loadConfig } from "../../stacks/config";
import { synthApp } from "../helpers/app";
import { LOCAL_CONFIG, ROOT } from "../helpers/config";
import { networkProps, THREE_AZS } from "../helpers/network-props";
import { all, byPath, one, ref, synthStack, Synthesized } from "../helpers/synth";

const synthNetwork = (over: Parameters<typeof networkProps>[0] = {}): Synthesized =>
  synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps(over)));

describe("NatProvider", () => {
  it("gateway (the default) synthesizes exactly the network stack of before the strategy existed: same addresses, bodies, provider, backend and outputs, so Terraform has nothing to plan", () => {
    const before = JSON.parse(readFileSync(join(ROOT, "__tests__", "fixtures", "network-before-nat-provider.json"), "utf8"));
    const now = synthApp(loadConfig(LOCAL_CONFIG)).network;
    for (const block of ["resource", "data", "terraform", "output", "locals"]) expect([block, now[block]]).toEqual([block, before[block]]);
    // The provider may only gain endpoints (SSM, for NAT instances); a provider setting changes no resource in a plan.
    const { endpoints: nowEndpoints, ...nowProvider } = now.provider.aws[0];
    const { endpoints: beforeEndpoints, ...beforeProvider } = before.provider.aws[0];
    expect(nowProvider).toEqual(beforeProvider);
    expect(nowEndpoints[0]).toEqual(expect.objectContaining(beforeEndpoints[0]));
    expect(Object.keys(now).filter((k) => k !== "//").sort()).toEqual(Object.keys(before).filter((k) => k !== "//").sort());
  });

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
      const [subnet] = byPath(s, "aws_subnet", "public/subnet-0");
      expect(body).toMatchObject({ subnet_id: ref("aws_subnet", subnet), source_dest_check: false });
      expect(one(s, "aws_instance")[1].network_interface).toEqual([{ device_index: 0, network_interface_id: ref("aws_network_interface", eni) }]);
      const [eip] = one(s, "aws_eip");
      expect(one(s, "aws_eip_association")[1]).toEqual({ allocation_id: ref("aws_eip", eip, "allocation_id"), network_interface_id: ref("aws_network_interface", eni) });
    });

    it("points every private route at that interface", () => {
      let network!: FixedEgressNetwork;
      synthStack((scope) => (network = new FixedEgressNetwork(scope, "network", networkProps({ natProvider: NatProvider.instance() }))));
      expect(network.privateDefaultRoutes.map((r) => r.node.id)).toEqual(["default-route-0", "default-route-1"]);
      const [eni] = one(s, "aws_network_interface");
      for (const i of [0, 1]) {
        const [, route] = byPath(s, "aws_route", `private/default-route-${i}`);
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
        const [eni, body] = byPath(t, "aws_network_interface", `nat/interface-${i}`);
        const [subnet] = byPath(t, "aws_subnet", `public/subnet-${i}`);
        expect(body.subnet_id).toBe(ref("aws_subnet", subnet));
        expect(byPath(t, "aws_eip_association", `nat/eip-association-${i}`)[1].allocation_id).toBe(ids[i]);
        expect(byPath(t, "aws_route", `private/default-route-${i}`)[1].network_interface_id).toBe(ref("aws_network_interface", eni));
      }
    });

    it("takes a given AMI instead of the SSM lookup", () => {
      const t = synthNetwork({ natProvider: NatProvider.instance({ amiId: "ami-0123456789abcdef0" }) });
      expect(all(t, "aws_ssm_parameter", "data")).toHaveLength(0);
      expect(one(t, "aws_instance")[1].ami).toBe("ami-0123456789abcdef0");
    });
  });
});
