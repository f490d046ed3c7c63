import { loadConfig } from "../../stacks/config";
import { filesOf, synthApp } from "../helpers/app";
import { AWS_EXAMPLE, LOCAL_CONFIG, derivedConfig } from "../helpers/config";

describe("the app", () => {
  const local = synthApp(loadConfig(LOCAL_CONFIG));

  it("synthesizes two stacks, <name>-network and <name>-app", () => {
    expect(Object.keys(filesOf(`${local.outdir}/stacks`)).filter((f) => f.endsWith("cdk.tf.json")).sort()).toEqual([
      "demo-app/cdk.tf.json",
      "demo-network/cdk.tf.json",
    ]);
  });

  it("keeps each stack's state in S3 under its own key, encrypted, with lockfile locking", () => {
    for (const [stack, json] of [["demo-network", local.network], ["demo-app", local.app]] as const) {
      expect(json.terraform.backend.s3).toMatchObject({
        bucket: "fixed-egress-state-demo",
        key: `fixed-egress/${stack}.tfstate`,
        region: "ap-northeast-1",
        encrypt: true,
        use_lockfile: true,
      });
    }
  });

  it("pins the AWS provider to the version its bindings were made for", () => {
    expect(local.network.terraform.required_providers.aws.version).toBe("5.100.0");
  });

  it("points provider and backend at the emulator only when one is configured", () => {
    const provider = local.network.provider.aws[0];
    expect(provider.endpoints[0]).toMatchObject({ ec2: "http://127.0.0.1:4566", s3: "http://127.0.0.1:4566", iam: "http://127.0.0.1:4566", lambda: "http://127.0.0.1:4566" });
    expect(provider.s3_use_path_style).toBe(true);
    expect(local.network.terraform.backend.s3.endpoints.s3).toBe("http://127.0.0.1:4566");

    const aws = synthApp(loadConfig(AWS_EXAMPLE));
    expect(aws.network.provider.aws[0].endpoints).toBeUndefined();
    expect(aws.network.provider.aws[0].access_key).toBeUndefined();
    expect(aws.network.terraform.backend.s3.endpoints).toBeUndefined();
    expect(aws.network.terraform.backend.s3.access_key).toBeUndefined();
  });

  it("tags everything by default with the project, environment and stack", () => {
    expect(local.app.provider.aws[0].default_tags[0].tags).toEqual({ Project: "fixed-egress", Environment: "demo", Stack: "demo-app" });
  });

  it("reads the network from its remote state in the app stack", () => {
    const remote = local.app.data.terraform_remote_state["cross-stack-reference-input-demo-network"];
    expect(remote.backend).toBe("s3");
    expect(remote.config).toMatchObject({ bucket: "fixed-egress-state-demo", key: "fixed-egress/demo-network.tfstate" });
    const fn = Object.values(local.app.resource.aws_lambda_function)[0] as any;
    fn.vpc_config.subnet_ids.forEach((id: string) => expect(id).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-demo-network\.outputs\./));
    expect(fn.environment.variables.EGRESS_IPS).toMatch(/^\$\{join\(",", \[data\.terraform_remote_state/);
  });

  it("declares the outputs each team needs", () => {
    expect(Object.keys(local.network.output)).toEqual(
      expect.arrayContaining(["egress_ips", "vpc_id", "public_subnet_ids", "private_subnet_ids", "nat_gateway_ids"]),
    );
    expect(Object.keys(local.app.output).sort()).toEqual(["function_arn", "function_name", "security_group_id"]);
  });

  it("uses a local backend when configured, one file per stack", () => {
    const c = derivedConfig(LOCAL_CONFIG, (x) => (x.backend = { type: "local", path: "/tmp/fx-state" }));
    const s = synthApp(c);
    expect(s.network.terraform.backend).toEqual({ local: { path: "/tmp/fx-state/demo-network.tfstate" } });
  });

  it("synthesizes the same config twice to byte-identical files, Lambda asset included", () => {
    const again = synthApp(loadConfig(LOCAL_CONFIG));
    const a = filesOf(`${local.outdir}/stacks`);
    const b = filesOf(`${again.outdir}/stacks`);
    expect(Object.keys(a).some((f) => f.endsWith(".zip"))).toBe(true);
    expect(b).toEqual(a);
  });

  it("follows the database engine: mysql opens 3306 by default and tells the probe", () => {
    const s = synthApp(
      derivedConfig(LOCAL_CONFIG, (x) => {
        x.lambda.database.engine = "mysql";
        delete x.lambda.database.port;
      }),
    );
    const sg = Object.values(s.app.resource.aws_security_group)[0] as any;
    expect(sg.egress.find((r: any) => r.description === "External database")).toMatchObject({ from_port: 3306, to_port: 3306 });
    const fn = Object.values(s.app.resource.aws_lambda_function)[0] as any;
    expect(fn.environment.variables).toMatchObject({ DB_ENGINE: "mysql", DB_PORT: "3306", DB_TLS: "disable" });
    expect(fn.source_code_hash).not.toBe((Object.values(local.app.resource.aws_lambda_function)[0] as any).source_code_hash);
  });

  it("never puts a password in the synthesized stacks, only the secret's ARN", () => {
    const arn = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:db-AbCdEf";
    const s = synthApp(derivedConfig(LOCAL_CONFIG, (x) => (x.lambda.database.passwordSecretArn = arn)));
    const fn = Object.values(s.app.resource.aws_lambda_function)[0] as any;
    expect(fn.environment.variables.PASSWORD_SECRET_ARN).toBe(arn);
    expect(Object.keys(fn.environment.variables).filter((k) => /PASSWORD$/.test(k))).toEqual([]);
  });

  it("synthesizes nothing from a bad config", () => {
    expect(() => derivedConfig(LOCAL_CONFIG, (x) => (x.network.vpcCidr = "10.0.0.0/33"))).toThrow(/\$\.network\.vpcCidr/);
  });
});
