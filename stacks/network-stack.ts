import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { FixedEgressNetwork, networkOutputs } from "@fixed-egress/constructs";
import { AppConfig, networkPropsOf } from "./config";
import { wireStack } from "./wiring";

/**
 * `<name>-network`: owned by the network team. Its outputs (NETWORK_CONTRACT) are a contract: the app stack,
 * and app stacks in other repositories, read them through terraform_remote_state.
 */
export class NetworkStack extends TerraformStack {
  public readonly network: FixedEgressNetwork;

  constructor(scope: Construct, id: string, config: AppConfig) {
    super(scope, id);
    wireStack(this, config, id);
    this.network = new FixedEgressNetwork(this, "network", networkPropsOf(config));
    for (const { name, value, description } of networkOutputs(this.network)) new TerraformOutput(this, name, { value, description });
  }
}
