/** S3 lockfile locking: while one apply holds the lock, a second apply of the same stack is refused. */
import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Deployment, emulatorConfig, prepare } from "../helpers/deploy";
import { clientFor, Emulator, startEmulator } from "../helpers/emulator";
import { terraform } from "../helpers/terraform";

jest.setTimeout(600_000);

let emu: Emulator;
let d: Deployment;
beforeAll(async () => {
  emu = startEmulator();
  d = await prepare(emulatorConfig(emu.endpoint, "lock"));
});
afterAll(async () => {
  await d?.cleanup();
  emu?.stop();
});

async function lockExists(s3: S3Client, key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: "fixed-egress-e2e-state", Key: key })).then(() => true, () => false);
}

it("refuses a second apply while the first holds the state lock, and leaves the state intact", async () => {
  const s3 = new S3Client(clientFor(emu.endpoint));
  const dir = d.synth.stackDir("network");
  await terraform(dir, ["init", "-input=false", "-no-color"]);
  const first = d.apply("network");
  const lockKey = "fixed-egress/lock-network.tfstate.tflock";
  const deadline = Date.now() + 30_000;
  while (!(await lockExists(s3, lockKey))) {
    if (Date.now() > deadline) throw new Error("the first apply never took the lock");
    await new Promise((r) => setTimeout(r, 100));
  }
  const second = await terraform(dir, ["apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s"], { allowFail: true });
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/Error acquiring the state lock/);
  expect(second.stderr).toMatch(/Lock Info:/);

  await first;
  expect(await lockExists(s3, lockKey)).toBe(false);
  const list = await terraform(dir, ["state", "list"]);
  expect(list.stdout.trim().split("\n").filter((l) => l.startsWith("aws_nat_gateway."))).toHaveLength(1);
  expect(list.stdout.trim().split("\n").filter((l) => l.startsWith("aws_vpc."))).toHaveLength(1);
  expect(await d.planExitCode("network")).toBe(0);
});
