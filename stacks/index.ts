import { App } from "cdktf";
import { AppStack } from "./app-stack";
import { AppConfig } from "./config";
import { NetworkStack } from "./network-stack";

export { loadConfig, ConfigError, DEFAULT_CONFIG, functionNameOf } from "./config";
export type { AppConfig } from "./config";

export const stackNames = (config: AppConfig) => ({ network: `${config.name}-network`, app: `${config.name}-app` });

/** Both stacks of one environment; the app stack reads the network stack's outputs from its state. */
export function buildStacks(app: App, config: AppConfig): { network: NetworkStack; app: AppStack } {
  const names = stackNames(config);
  const network = new NetworkStack(app, names.network, config);
  const appStack = new AppStack(app, names.app, config, names.network);
  return { network, app: appStack };
}
