/**
 * The embedded default (config/local.json) deployed by the jobs as a user runs them, on an emulator of the
 * suite's own, with remote S3 state and the database password in a Secrets Manager secret. `demoDeployment()`
 * registers the suite's beforeAll/afterAll and returns what its tests use.
 */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { LOCAL_CONFIG, rawConfig } from "./config";
import { clientFor, Emulator, startEmulator } from "./emulator";
import { Run, outputsIn, runJob } from "./terraform";

export const BUCKET = "fixed-egress-state-demo";
export const STATE_KEYS = ["fixed-egress/demo-network.tfstate", "fixed-egress/demo-app.tfstate"];
export const PASSWORD = "e2e-db-password-4b9d1f";

export interface DemoDeployment {
  readonly emu: Emulator;
  readonly ec2: EC2Client;
  /** the jobs' folder: cdktf.out, run (logs, plans, reviews), config.json */
  readonly work: string;
  readonly secretArn: string;
  readonly configFile: string;
  /** writes the config the next job reads: local.json on this emulator, the password in the secret, with `edit` applied */
  configure(edit?: (c: any) => void): void;
  job(name: string, ...args: string[]): Promise<Run>;
  /** a stack's outputs after apply, as plain values */
  outputs(stack: "network" | "app"): Promise<Record<string, any>>;
  /** what carries egress today, and the state's serial: a refused deploy must change none of it */
  egressNow(): Promise<{ natId?: string; allocationId?: string; publicIp?: string; serial: number }>;
}

export function demoDeployment(): DemoDeployment {
  let emu: Emulator;
  let ec2: EC2Client;
  let secretArn: string;
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-job-"));
  const env: NodeJS.ProcessEnv = {
    FIXED_EGRESS_CONFIG: join(work, "config.json"),
    FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"),
    FIXED_EGRESS_RUN_DIR: join(work, "run"),
    // Endpoints set for other work rank above the emulator's profile in the AWS SDK: the jobs drop them for an
    // emulator config. Nothing listens on port 9, so a call that followed them would fail.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_EC2: "http://127.0.0.1:9",
  };
  const configure = (edit: (c: any) => void = () => undefined) =>
    writeFileSync(
      env.FIXED_EGRESS_CONFIG!,
      JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => ((c.emulator.endpoint = emu.endpoint), (c.lambda.database.passwordSecretArn = secretArn), edit(c))), null, 2),
    );
  beforeAll(async () => {
    emu = startEmulator();
    ec2 = new EC2Client(clientFor(emu.endpoint));
    secretArn = (await new SecretsManagerClient(clientFor(emu.endpoint)).send(new CreateSecretCommand({ Name: "e2e/db", SecretString: PASSWORD }))).ARN!;
    configure();
  });
  // No destroy before the emulator stops: stopping it forgets everything.
  afterAll(() => emu?.stop());

  return {
    get emu() {
      return emu;
    },
    get ec2() {
      return ec2;
    },
    get secretArn() {
      return secretArn;
    },
    work,
    configFile: env.FIXED_EGRESS_CONFIG!,
    configure,
    job: (name, ...args) => runJob(env, name, ...args),
    outputs: (stack) => outputsIn(join(work, "cdktf.out", "stacks", `demo-${stack}`)),
    egressNow: async () => {
      const { NatGateways: all } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["available"] }] }));
      const NatGateways = all!.filter((n) => n.Tags?.some((t) => t.Key === "Environment" && t.Value === "demo"));
      expect(NatGateways).toHaveLength(1);
      const address = NatGateways![0].NatGatewayAddresses![0];
      const state = await new S3Client(clientFor(emu.endpoint)).send(new GetObjectCommand({ Bucket: BUCKET, Key: STATE_KEYS[0] }));
      const serial = (JSON.parse(await state.Body!.transformToString()) as { serial: number }).serial;
      return { natId: NatGateways![0].NatGatewayId, allocationId: address.AllocationId, publicIp: address.PublicIp, serial };
    },
  };
}
