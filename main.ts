import { App } from "cdktf";
import { ConfigError, DEFAULT_CONFIG, buildStacks, loadConfig } from "./stacks";
import { ValidationError } from "@fixed-egress/constructs";

const file = process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG;
try {
  // The config is checked before the App exists, so a bad one leaves cdktf.out untouched.
  const config = loadConfig(file);
  const app = new App();
  buildStacks(app, config);
  app.synth();
} catch (err) {
  if (err instanceof ConfigError || err instanceof ValidationError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
