import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { FixedEgressNetwork } from "../constructs/fixed-egress-network";
import { AppConfig } from "./config";
import { wireStack } from "./wiring";

/** `<name>-network`: owned by the network team; its outputs are what the database admin and the app stack need. */
export class NetworkStack extends TerraformStack {
  public readonly network: FixedEgressNetwork;

  constructor(scope: Construct, id: string, config: AppConfig) {
    super(scope, id);
    wireStack(this, config, id);
    const n = config.network;
    this.network = new FixedEgressNetwork(this, "network", {
      name: config.name,
      vpcCidr: n.vpcCidr,
      existingVpcId: n.existingVpcId,
      existingInternetGatewayId: n.existingInternetGatewayId,
      availabilityZones: n.availabilityZones,
      publicSubnetCidrs: n.publicSubnetCidrs,
      privateSubnetCidrs: n.privateSubnetCidrs,
      natGateways: n.natGateways,
      eipAllocationIds: n.eipAllocationIds,
      protectEgressIps: n.protectEgressIps,
      mapPublicIpOnLaunch: n.mapPublicIpOnLaunch,
      s3Endpoint: n.s3Endpoint,
      flowLogs: n.flowLogs,
      tags: config.tags,
    });
    new TerraformOutput(this, "egress_ips", { value: this.network.egressIps, description: "Public IPs to allow-list at the database" });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "public_subnet_ids", { value: this.network.publicSubnetIds });
    new TerraformOutput(this, "private_subnet_ids", { value: this.network.privateSubnetIds });
    new TerraformOutput(this, "nat_gateway_ids", { value: this.network.natGatewayIds });
  }
}
