/**
 * Bad configs, table-driven: each is refused with one line naming the file and the JSON path. Every case goes
 * through the config loader in-process (the one both entry points call first); one case of each kind (raw text,
 * schema, a construct's own check) also through the synth entry (scripts/app.js, what `cdktf synth` runs) and the
 * main job (jobs/main.ts deploy) as subprocesses: exit 1, no stack written, and no AWS call (the emulator endpoint
 * points at a listener that counts connections).
 */
import { existsSync, mkdtempSync } from "fs";
import { createServer, Server } from "net";
import { tmpdir } from "os";
import { join } from "path";
import { ConfigError, loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, ROOT, rawConfig, writeTempConfig } from "../helpers/config";
import { run, runJob } from "../helpers/terraform";

jest.setTimeout(300_000);

type Edit = (c: any) => void;
/** A valid `network.adopt` for local.json's two AZs (single NAT): one shared private table. */
const ADOPT = {
  publicSubnets: [{ id: "subnet-0a1b2c3d4e5f60001" }, { id: "subnet-0a1b2c3d4e5f60002" }],
  privateSubnets: [{ id: "subnet-0a1b2c3d4e5f60003" }, { id: "subnet-0a1b2c3d4e5f60004" }],
  publicRouteTables: [{ id: "rtb-0a1b2c3d4e5f60001", main: true }, { id: "rtb-0a1b2c3d4e5f60002" }],
  privateRouteTables: [{ id: "rtb-0a1b2c3d4e5f60003" }, { id: "rtb-0a1b2c3d4e5f60003" }],
  natGateways: [{ id: "nat-0a1b2c3d4e5f60001", allocationId: "eipalloc-0a1b2c3d4e5f60001" }],
};
/** [what is wrong, edit of local.json (or raw file text), JSON path the message must name] */
const CASES: [string, Edit | string, string][] = [
  ["malformed JSON", '{ "name": "demo", ', "$"],
  ["name missing", (c) => delete c.name, "$.name"],
  ["name of the wrong type", (c) => (c.name = 42), "$.name"],
  ["name with capitals and underscore", (c) => (c.name = "Demo_1"), "$.name"],
  ["empty name", (c) => (c.name = ""), "$.name"],
  ["unknown top-level key (typo)", (c) => (c.regin = "ap-northeast-1"), "$.regin"],
  ["unknown region", (c) => (c.region = "ap-northeast-9"), "$.region"],
  ["backend missing", (c) => delete c.backend, "$.backend"],
  ["unknown backend type", (c) => (c.backend.type = "gcs"), "$.backend.type"],
  ["s3 backend without bucket", (c) => delete c.backend.bucket, "$.backend.bucket"],
  ["invalid bucket name", (c) => (c.backend.bucket = "My_Bucket"), "$.backend.bucket"],
  ["local backend with s3 keys", (c) => (c.backend.type = "local"), "$.backend"],
  ["emulator endpoint without scheme", (c) => (c.emulator.endpoint = "localhost:4566"), "$.emulator.endpoint"],
  ["VPC CIDR syntax", (c) => (c.network.vpcCidr = "10.0.0/16"), "$.network.vpcCidr"],
  ["VPC CIDR larger than AWS allows", (c) => (c.network.vpcCidr = "10.0.0.0/8"), "$.network.vpcCidr"],
  ["subnet with host bits set", (c) => (c.network.privateSubnetCidrs[0] = "10.0.10.5/24"), "$.network.privateSubnetCidrs[0]"],
  ["subnet outside the VPC", (c) => (c.network.privateSubnetCidrs[1] = "10.1.11.0/24"), "$.network.privateSubnetCidrs[1]"],
  ["overlapping subnets", (c) => (c.network.privateSubnetCidrs[0] = "10.0.0.0/23"), "$.network.privateSubnetCidrs[0]"],
  ["fewer public subnets than AZs", (c) => (c.network.publicSubnetCidrs = ["10.0.0.0/24"]), "$.network.publicSubnetCidrs"],
  ["duplicate AZ", (c) => (c.network.availabilityZones = ["ap-northeast-1a", "ap-northeast-1a"]), "$.network.availabilityZones[1]"],
  ["malformed AZ", (c) => (c.network.availabilityZones[0] = "tokyo-a"), "$.network.availabilityZones[0]"],
  ["unknown NAT placement", (c) => (c.network.natPlacement = "perAZ"), "$.network.natPlacement"],
  ["malformed EIP allocation id", (c) => (c.network.eipAllocationIds = ["eip-1234"]), "$.network.eipAllocationIds[0]"],
  ["too few EIP allocation ids for perAz", (c) => {
    c.network.natPlacement = "perAz";
    c.network.eipAllocationIds = ["eipalloc-0123456789abcdef0"];
  }, "$.network.eipAllocationIds"],
  ["protectEgressIps not a boolean", (c) => (c.network.protectEgressIps = "yes"), "$.network.protectEgressIps"],
  ["typo in a network key", (c) => (c.network.natGateway = "single"), "$.network.natGateway"],
  ["existing IGW without existing VPC", (c) => (c.network.existingInternetGatewayId = "igw-0a1b2c3d4e5f67890"), "$.network.existingInternetGatewayId"],
  ["flow log retention CloudWatch lacks", (c) => (c.network.flowLogs = { retentionDays: 10 }), "$.network.flowLogs.retentionDays"],
  ["memory below Lambda's minimum", (c) => (c.lambda.memoryMb = 64), "$.lambda.memoryMb"],
  ["memory above Lambda's maximum", (c) => (c.lambda.memoryMb = 20480), "$.lambda.memoryMb"],
  ["timeout of zero", (c) => (c.lambda.timeoutSeconds = 0), "$.lambda.timeoutSeconds"],
  ["timeout above 900 s", (c) => (c.lambda.timeoutSeconds = 901), "$.lambda.timeoutSeconds"],
  ["function name with a space", (c) => (c.lambda.functionName = "egress probe"), "$.lambda.functionName"],
  ["database port above 65535", (c) => (c.lambda.database.port = 70000), "$.lambda.database.port"],
  ["database port zero", (c) => (c.lambda.database.port = 0), "$.lambda.database.port"],
  ["database host missing", (c) => delete c.lambda.database.host, "$.lambda.database.host"],
  ["unknown database engine", (c) => (c.lambda.database.engine = "oracle"), "$.lambda.database.engine"],
  ["unknown TLS mode", (c) => (c.lambda.database.tls = "on"), "$.lambda.database.tls"],
  ["malformed secret ARN", (c) => (c.lambda.database.passwordSecretArn = "db-password"), "$.lambda.database.passwordSecretArn"],
  ["database CIDR with prefix 33", (c) => (c.lambda.database.cidrs = ["203.0.113.50/33"]), "$.lambda.database.cidrs[0]"],
  ["tag value not a string", (c) => (c.tags = { Owner: 7 }), "$.tags.Owner"],
  ["adopted network without existingVpcId", (c) => (c.network.adopt = ADOPT), "$.network.adopt"],
  ["adopted subnet id malformed", (c) => ((c.network.existingVpcId = "vpc-0a1b2c3d4e5f67890"), (c.network.adopt = { ...ADOPT, privateSubnets: [{ id: "subnet-1" }, ADOPT.privateSubnets[1]] })), "$.network.adopt.privateSubnets[0].id"],
  ["adopted private table shared with perAz", (c) => {
    c.network.existingVpcId = "vpc-0a1b2c3d4e5f67890";
    c.network.natPlacement = "perAz";
    c.network.adopt = { ...ADOPT, natGateways: [ADOPT.natGateways[0], { id: "nat-0a1b2c3d4e5f60002", allocationId: "eipalloc-0a1b2c3d4e5f60002" }] };
  }, "$.network.adopt.privateRouteTables[1].id"],
];

/** One line naming the file and the JSON path, nothing else. */
function expectOneLine(text: string, file: string, path: string): void {
  const lines = text.trim().split("\n");
  expect(lines).toEqual([expect.stringMatching(/./)]);
  expect(lines[0].slice(0, file.length + path.length + 4)).toBe(`${file}: ${path}: `);
  expect(text).not.toMatch(/\n\s+at /); // no stack trace
}

describe("bad input, through the config loader both entry points share", () => {
  it.each(CASES)("refuses %s", (_what, edit, path) => {
    const file = configFile(edit, "http://127.0.0.1:9"); // never reached: loading makes no AWS call
    let error: unknown;
    try {
      loadConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expectOneLine((error as ConfigError).message, file, path);
    expect((error as ConfigError).lines).toHaveLength(1);
  });
});

/** A raw file, a schema error and a construct's own validation: one of each kind, through the real commands. */
const THROUGH_ENTRY_POINTS = ["malformed JSON", "unknown top-level key (typo)", "overlapping subnets", "adopted private table shared with perAz"];

describe("bad input, through the real entry points (cdktf's app command and the main job)", () => {
  let listener: Server;
  let connections = 0;
  let endpoint: string;

  beforeAll(async () => {
    listener = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", () => r()));
    endpoint = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => listener.close(() => r())));

  it.each(CASES.filter(([what]) => THROUGH_ENTRY_POINTS.includes(what)))("refuses %s with one line, exit 1, no stack written and no AWS call", async (_what, edit, path) => {
    const file = configFile(edit, endpoint); // any AWS call would land on the listener
    const outdir = join(mkdtempSync(join(tmpdir(), "fixed-egress-badout-")), "out");
    const env = { FIXED_EGRESS_CONFIG: file, CDKTF_OUTDIR: outdir, FIXED_EGRESS_OUTDIR: outdir };
    const [synth, demo] = await Promise.all([
      run("node", [join(ROOT, "scripts", "app.js")], { env }),
      runJob(env, "deploy"),
    ]);
    for (const r of [synth, demo]) {
      expect(r.code).toBe(1);
      expectOneLine(r.stderr, file, path);
    }
    expect(existsSync(outdir)).toBe(false);
    expect(connections).toBe(0);
  });

  it("refuses a config file that does not exist, naming it", async () => {
    const r = await run("node", [join(ROOT, "scripts", "app.js")], { env: { FIXED_EGRESS_CONFIG: "/nonexistent/env.json" } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("/nonexistent/env.json: cannot read the config file (ENOENT); set FIXED_EGRESS_CONFIG to an existing file");
  });
});

function configFile(edit: Edit | string, endpoint: string): string {
  if (typeof edit === "string") return writeTempConfig(edit);
  return writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => {
    c.emulator.endpoint = endpoint;
    edit(c);
  }));
}
