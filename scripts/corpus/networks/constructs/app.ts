/**
 * The corpus network written with these constructs: FixedEgressNetwork, two zones, a NAT Gateway per zone on new
 * Elastic IPs, local state, the provider pointed at the emulator through the profile the generator writes.
 * A variant is a change of the app, as a team would make it: other props, or an escape hatch.
 * Usage: tsx app.ts <outdir> [variant]   (scripts/corpus/generate.ts runs it; cdk.tf.json lands in <outdir>/stacks/net)
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcPeeringConnection } from "@cdktf/provider-aws/lib/vpc-peering-connection";
import { FixedEgressNetwork, FixedEgressNetworkProps } from "@fixed-egress/constructs";

const [outdir, variant = ""] = process.argv.slice(2);
const app = new App({ outdir });
const stack = new TerraformStack(app, "net");
new LocalBackend(stack, { path: "terraform.tfstate" });
new AwsProvider(stack, "aws", { region: "ap-northeast-1", accessKey: "test", secretKey: "test", sharedConfigFiles: ["emulator.aws-config"], profile: "emulator", skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true" });

const zones = ["ap-northeast-1a", "ap-northeast-1c", ...(variant === "zone-added" ? ["ap-northeast-1d"] : [])];
const props: FixedEgressNetworkProps = {
  name: "corpus",
  vpcCidr: "10.70.0.0/16",
  availabilityZones: zones,
  publicSubnetCidrs: zones.map((_, i) => `10.70.${i}.0/24`),
  privateSubnetCidrs: zones.map((_, i) => `10.70.${10 + i}.0/24`),
  natPlacement: variant === "single-nat" ? "single" : "perAz",
  protectEgressIps: false,
  ...(variant === "secondary-address" ? { natGatewaySecondaryEips: 1 } : {}),
  ...(variant === "tags" ? { tags: { Team: "db" } } : {}),
};
const net = new FixedEgressNetwork(stack, "network", props);

if (variant === "half-to-other-nat") {
  new Route(stack, "half", { routeTableId: net.privateRouteTableIds[0], destinationCidrBlock: "0.0.0.0/1", natGatewayId: net.natDeviceIds[1] });
}
if (variant === "peering-private-range") {
  const peer = new Vpc(stack, "peer", { cidrBlock: "172.16.0.0/16" });
  const pcx = new VpcPeeringConnection(stack, "pcx", { vpcId: net.vpcId, peerVpcId: peer.id, autoAccept: true });
  net.privateRouteTableIds.forEach((t, i) => new Route(stack, `peer-${i}`, { routeTableId: t, destinationCidrBlock: "172.16.0.0/16", vpcPeeringConnectionId: pcx.id }));
}
app.synth();
