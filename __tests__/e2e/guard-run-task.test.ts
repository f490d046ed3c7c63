/**
 * GuardRunTask applied on the emulator: the run task's function, its function URL, the secret for its HMAC key
 * and its log group exist as the construct describes them. (The emulator runs no function: the handler itself is
 * proven against a stand-in of HCP Terraform in __tests__/unit/guard-run-task.test.ts.)
 *
 * @shared-providers one AWS provider per stack folder for the whole suite (scripts/shared-provider.sh)
 */
import { GetFunctionConfigurationCommand, GetFunctionUrlConfigCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { GuardRunTask, LambdaCode } from "../../constructs";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { outputsIn, terraform } from "../helpers/terraform";

jest.setTimeout(300_000);
let emu: Emulator;
beforeAll(() => (emu = startEmulator()));
afterAll(() => emu?.stop());

it("applies the run task: a function URL, the function reading its HMAC key's secret, logs kept 14 days", async () => {
  const outdir = mkdtempSync(join(tmpdir(), "fx-run-task-"));
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "run-task");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "ap-northeast-1", accessKey: "test", secretKey: "test", sharedConfigFiles: ["emulator.aws-config"], profile: "emulator", skipCredentialsValidation: true, skipRequestingAccountId: true, skipMetadataApiCheck: "true" });
  const task = new GuardRunTask(stack, "run-task", { functionName: "egress-guard", code: LambdaCode.fromEntry(require.resolve("../../guard/run-task/lambda.ts")), logRetentionDays: 14, allowListedEgressIps: ["203.0.113.7"] });
  new TerraformOutput(stack, "url", { value: task.url });
  new TerraformOutput(stack, "secret", { value: task.hmacSecretArn });
  app.synth();
  const dir = join(outdir, "stacks", "run-task");
  writeFileSync(join(dir, "emulator.aws-config"), `[profile emulator]\nendpoint_url = ${emu.endpoint}\n`);
  await terraform(dir, ["init", "-input=false", "-no-color"]);
  await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
  const out = await outputsIn(dir);

  const lambda = new LambdaClient(clientFor(emu.endpoint));
  const url = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "egress-guard" }));
  expect(url).toMatchObject({ AuthType: "NONE", FunctionUrl: out.url });
  const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "egress-guard" }));
  expect(fn.Environment!.Variables).toEqual({ FIXED_EGRESS_GUARD_HMAC_SECRET_ARN: out.secret, FIXED_EGRESS_GUARD_ALLOW_LISTED: "203.0.113.7" });
  expect(fn.Handler).toBe("index.handler");
  expect((await new SecretsManagerClient(clientFor(emu.endpoint)).send(new DescribeSecretCommand({ SecretId: out.secret }))).Name).toMatch(/^egress-guard-hmac-key-/);
  // The log group as the provider read it back from the emulator after creating it.
  const state = JSON.parse((await terraform(dir, ["show", "-json"])).stdout);
  const group = state.values.root_module.resources.find((r: { type: string }) => r.type === "aws_cloudwatch_log_group");
  expect([group.values.name, group.values.retention_in_days]).toEqual(["/aws/lambda/egress-guard", 14]);
  // Planned again, nothing changes.
  expect((await terraform(dir, ["plan", "-input=false", "-no-color", "-detailed-exitcode"], { allowFail: true })).code).toBe(0);
});
