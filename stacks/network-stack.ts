import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { FixedEgressNetwork, NETWORK_OUTPUTS, networkOutputs } from "@fixed-egress/constructs";
import { AppConfig, networkPropsOf } from "./config";
import { wireStack } from "./wiring";

const DESCRIPTIONS: Record<string, string> = {
  [NETWORK_OUTPUTS.egressIps]: "Public IPs to allow-list at the database",
  [NETWORK_OUTPUTS.vpcId]: "The VPC the functions run in",
  [NETWORK_OUTPUTS.publicSubnetIds]: "Subnets routed to the Internet Gateway (the NAT lives here)",
  [NETWORK_OUTPUTS.privateSubnetIds]: "Subnets routed to the NAT: run functions here",
  [NETWORK_OUTPUTS.natGatewayIds]: "The NAT devices that own the egress IPs",
};

/**
 * `<name>-network`: owned by the network team. Its outputs (NETWORK_OUTPUTS) are a contract: the app stack,
 * and app stacks in other repositories, read them through terraform_remote_state.
 */
export class NetworkStack extends TerraformStack {
  public readonly network: FixedEgressNetwork;

  constructor(scope: Construct, id: string, config: AppConfig) {
    super(scope, id);
    wireStack(this, config, id);
    this.network = new FixedEgressNetwork(this, "network", networkPropsOf(config));
    for (const [name, value] of Object.entries(networkOutputs(this.network))) {
      new TerraformOutput(this, name, { value, description: DESCRIPTIONS[name] });
    }
  }
}
