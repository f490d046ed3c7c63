/** A NAT-instance environment of its own on the emulator, driven through the jobs as a user runs them. */
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DescribeAddressesCommand, DescribeInstancesCommand, EC2Client, Instance } from "@aws-sdk/client-ec2";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LOCAL_CONFIG, rawConfig } from "./config";
import { clientFor, Emulator, startEmulator } from "./emulator";
import { Run, runJob } from "./terraform";

/** The SSM parameter the config names for the AMI: one a test may write (moto refuses writes under /aws/). */
const AMI_PARAMETER = "/fixed-egress-e2e/nat-ami";

export interface NatInstanceEnv {
  readonly emu: Emulator;
  readonly ec2: EC2Client;
  /** writes the config the next job reads: local.json, NAT instances, with `edit` applied */
  configure(edit?: (c: any) => void): void;
  job(name: string, ...args: string[]): Promise<Run>;
  /** the public AL2023 AMI of an architecture, as the emulator serves it */
  al2023(arch: "arm64" | "x86_64"): Promise<string>;
  /** publishes `ami` under AMI_PARAMETER */
  publish(ami: string): Promise<unknown>;
  /** the running NAT instance, its interface, and the Elastic IP on that interface */
  natNow(): Promise<{ instance: Instance; eni: string; allocationId: string; publicIp: string }>;
  stackDir(stack: "network" | "app"): string;
}

/** An emulator of its own, a config named `name` with NAT instances, and the arm64 AMI published. */
export async function natInstanceEnv(name: string): Promise<NatInstanceEnv> {
  const emu = startEmulator();
  const ec2 = new EC2Client(clientFor(emu.endpoint));
  const work = mkdtempSync(join(tmpdir(), `fixed-egress-${name}-`));
  const env = { FIXED_EGRESS_CONFIG: join(work, "config.json"), FIXED_EGRESS_OUTDIR: join(work, "cdktf.out"), FIXED_EGRESS_RUN_DIR: join(work, "run") };
  const ssm = new SSMClient(clientFor(emu.endpoint));
  const self: NatInstanceEnv = {
    emu,
    ec2,
    configure: (edit = () => undefined) =>
      writeFileSync(
        env.FIXED_EGRESS_CONFIG,
        JSON.stringify(rawConfig(LOCAL_CONFIG, (c) => ((c.name = name), (c.emulator.endpoint = emu.endpoint), (c.network.natProvider = "instance"), (c.network.natInstanceAmiParameter = AMI_PARAMETER), edit(c)))),
      ),
    job: (job, ...args) => runJob(env, job, ...args),
    al2023: async (arch) => (await ssm.send(new GetParameterCommand({ Name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch}` }))).Parameter!.Value!,
    publish: (ami) => ssm.send(new PutParameterCommand({ Name: AMI_PARAMETER, Value: ami, Type: "String", Overwrite: true })),
    natNow: async () => {
      const { Reservations } = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["running", "pending"] }] }));
      const instances = (Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.Tags?.some((t) => t.Key === "Environment" && t.Value === name));
      if (instances.length !== 1) throw new Error(`expected one running NAT instance of ${name}, found ${instances.length}`);
      const instance = instances[0];
      const primary = instance.NetworkInterfaces!.find((n) => n.Attachment?.DeviceIndex === 0)!;
      const { Addresses } = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "network-interface-id", Values: [primary.NetworkInterfaceId!] }] }));
      if (Addresses?.length !== 1) throw new Error(`expected one Elastic IP on ${primary.NetworkInterfaceId}, found ${Addresses?.length ?? 0}`);
      return { instance, eni: primary.NetworkInterfaceId!, allocationId: Addresses[0].AllocationId!, publicIp: Addresses[0].PublicIp! };
    },
    stackDir: (stack) => join(work, "cdktf.out", "stacks", `${name}-${stack}`),
  };
  self.configure();
  await self.publish(await self.al2023("arm64"));
  return self;
}
