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
    this.network = new FixedEgressNetwork(this, "network", { ...config.network, name: config.name, tags: config.tags });
    new TerraformOutput(this, "egress_ips", { value: this.network.egressIps, description: "Public IPs to allow-list at the database" });
    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "public_subnet_ids", { value: this.network.publicSubnetIds });
    new TerraformOutput(this, "private_subnet_ids", { value: this.network.privateSubnetIds });
    new TerraformOutput(this, "nat_gateway_ids", { value: this.network.natGatewayIds });
  }
}
