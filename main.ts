import { App } from "cdktf";
import { ConfigError, DEFAULT_CONFIG, buildStacks, loadConfig } from "./stacks";
import { ValidationError } from "./constructs/errors";

const file = process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG;
try {
  const app = new App();
  buildStacks(app, loadConfig(file));
  app.synth();
} catch (err) {
  if (err instanceof ConfigError || err instanceof ValidationError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
