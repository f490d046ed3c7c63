import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { unzipSync } from "fflate";
import { CA_BUNDLE_ZIP_NAME, LAMBDA_CA_BUNDLE } from "../../stacks/app-stack";
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
    for (const which of ["network", "app"] as const) {
      const provider = local[which].provider.aws[0];
      // The endpoint comes from a profile in a file beside the stack, never the provider's `endpoints` block (2 CPU-s a provider process).
      expect(provider.endpoints).toBeUndefined();
      expect(provider.profile).toBe("fixed-egress-emulator");
      expect(provider.shared_config_files).toEqual([expect.stringMatching(/^assets\/emulator-aws-config\/[0-9A-F]+\/aws-config$/)]);
      expect(readFileSync(join(local.stackDir(which), provider.shared_config_files[0]), "utf8")).toMatch(/^\[profile fixed-egress-emulator\]\nendpoint_url = http:\/\/127\.0\.0\.1:4566\n$/m);
      expect(provider.s3_use_path_style).toBe(true);
    }
    expect(local.network.terraform.backend.s3.endpoints.s3).toBe("http://127.0.0.1:4566");

    const aws = synthApp(loadConfig(AWS_EXAMPLE));
    for (const key of ["endpoints", "profile", "shared_config_files"]) expect(aws.network.provider.aws[0][key]).toBeUndefined();
    expect(existsSync(join(aws.stackDir("network"), "assets", "emulator-aws-config"))).toBe(false);
    expect(aws.network.provider.aws[0].access_key).toBeUndefined();
    expect(aws.network.terraform.backend.s3.endpoints).toBeUndefined();
    expect(aws.network.terraform.backend.s3.access_key).toBeUndefined();
  });

  it("tags everything by default with the project, environment and stack", () => {
    expect(local.app.provider.aws[0].default_tags[0].tags).toEqual({ Project: "fixed-egress", Environment: "demo", Stack: "demo-app" });
  });

  it("reads the network through an explicit terraform_remote_state on its documented outputs, with the network's own state settings", () => {
    const remote = local.app.data.terraform_remote_state["network-state"];
    expect(remote.backend).toBe("s3");
    const { use_lockfile: _lock, ...backend } = local.network.terraform.backend.s3;
    expect(remote.config).toEqual(backend);
    expect(remote.defaults).toEqual({ vpc_id: "", private_subnet_ids: [], egress_ips: [] });
    const fn = Object.values(local.app.resource.aws_lambda_function)[0] as any;
    expect(fn.vpc_config.subnet_ids).toBe("${data.terraform_remote_state.network-state.outputs.private_subnet_ids}");
    expect(fn.environment.variables.EGRESS_IPS).toBe('${join(",", data.terraform_remote_state.network-state.outputs.egress_ips)}');
    const sg = Object.values(local.app.resource.aws_security_group)[0] as any;
    expect(sg.vpc_id).toBe("${data.terraform_remote_state.network-state.outputs.vpc_id}");
  });

  it("leaves no cdktf cross-stack output (named by construct-path hashes) in either stack", () => {
    expect(Object.keys(local.network.output).sort()).toEqual(["egress_ip_details", "egress_ips", "nat_device_ids", "nat_gateway_ids", "private_subnet_ids", "public_subnet_ids", "vpc_id"]);
    expect(JSON.stringify(local.app)).not.toMatch(/cross-stack/);
    Object.values(local.network.output).forEach((o: any) => expect(o.description).toBeTruthy());
  });

  it("refuses to plan the function before the network stack is applied, in one sentence", () => {
    const fn = Object.values(local.app.resource.aws_lambda_function)[0] as any;
    expect(fn.lifecycle.precondition).toEqual([
      {
        condition: "${length(data.terraform_remote_state.network-state.outputs.private_subnet_ids) > 0}",
        error_message: "[network-not-applied] The state of demo-network has no private_subnet_ids output: apply demo-network first.",
      },
    ]);
  });

  it("reads a local-backend network from the same file its backend writes", () => {
    const c = derivedConfig(LOCAL_CONFIG, (x) => (x.backend = { type: "local", path: "/tmp/fx-state" }));
    const s = synthApp(c);
    expect(s.app.data.terraform_remote_state["network-state"]).toMatchObject({ backend: "local", config: { path: "/tmp/fx-state/demo-network.tfstate" } });
  });

  it("trusts Amazon's CA bundle with verify-full, and packs a configured caBundle named by DB_TLS_CA_FILE", () => {
    const vars = (s: ReturnType<typeof synthApp>) => (Object.values(s.app.resource.aws_lambda_function)[0] as any).environment.variables;
    expect(vars(local).NODE_EXTRA_CA_CERTS).toBeUndefined();
    const ca = join(mkdtempSync(join(tmpdir(), "fx-ca-app-")), "ca.pem");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const s = synthApp(derivedConfig(LOCAL_CONFIG, (x) => Object.assign(x.lambda.database, { tls: "verify-full", caBundle: ca })));
    expect(vars(s)).toMatchObject({ DB_TLS: "verify-full", NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE, DB_TLS_CA_FILE: CA_BUNDLE_ZIP_NAME });
    const zip = filesOf(s.stackDir("app"));
    const asset = Object.keys(zip).find((f) => f.endsWith(".zip"))!;
    expect(Object.keys(unzipSync(Buffer.from(zip[asset], "base64")))).toContain(CA_BUNDLE_ZIP_NAME);
  });

  it("uses a local backend when configured, one file per stack", () => {
    const c = derivedConfig(LOCAL_CONFIG, (x) => (x.backend = { type: "local", path: "/tmp/fx-state" }));
    const s = synthApp(c);
    expect(s.network.terraform.backend).toEqual({ local: { path: "/tmp/fx-state/demo-network.tfstate" } });
  });

  it("synthesizes the same config twice to byte-identical files, Lambda asset included (the second zip built afresh)", () => {
    // The bundle cache follows XDG_CACHE_HOME: an empty one makes the second synth build its zip again.
    const cache = mkdtempSync(join(tmpdir(), "fx-cache-"));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    let again: ReturnType<typeof synthApp>;
    try {
      again = synthApp(loadConfig(LOCAL_CONFIG));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
    expect(readdirSync(join(cache, "fixed-egress", "bundles")).filter((f) => f.endsWith(".zip"))).toHaveLength(1);
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
