/**
 * make verify: after a deploy, the probe run once, and what the database saw set against the network's egress
 * IPs; exit 1 when it saw another address or could not be reached. Who runs the probe is a strategy: on AWS,
 * Lambda (Invoke); on the emulator, where functions do not run, the probe's own bundle in the network namespaces
 * of the data-plane proof (a private host, a NAT host that owns the data plane's egress address, a database that
 * admits that address only), the data plane's address standing for the network's egress IPs.
 * Usage: make verify
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { NETWORK_OUTPUTS } from "@fixed-egress/constructs";
import { stackNames } from "../stacks";
import type { AppConfig } from "../stacks/config";
import { Job, fail } from "./cli";
import { configFromEnv, synth } from "./app";
import { clientSettings } from "./aws";
import { checkStateBucket } from "./bootstrap-state";
import { ADDR, createTestbed, testbedUnavailable } from "./dataplane/netns";
import { localProbeSettings, runProbeIn, unpackProbe } from "./dataplane/probe-run";
import { startDatabaseIn } from "./dataplane/databases";
import { ROOT } from "./paths";
import { initStack, outputsOf } from "./stack-steps";

/** One run of the probe: the address the database saw, or why it was not reached. */
export interface Seen {
  readonly sourceIp?: string | null;
  readonly error?: string;
}

/** Who runs the probe, and which addresses count as expected there. */
export interface ProbeRunner {
  /** said before the result: where the probe ran */
  readonly where: string;
  /** the addresses the database should see, given the network's egress IPs, and what to call them */
  expected(network: string, egressIps: readonly string[]): { addresses: string[]; called: string };
  run(config: AppConfig): Promise<Seen>;
}

/** On AWS: the deployed function, invoked once (its answer is the probe's result, or the error it threw). */
export const lambdaRunner = (functionName: string, client: Pick<LambdaClient, "send">): ProbeRunner => ({
  where: `function ${functionName} (Lambda Invoke)`,
  expected: (network, ips) => ({ addresses: [...ips], called: `an egress IP of ${network} (${ips.join(", ")})` }),
  run: async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode("{}") }));
    const body = out.Payload ? (JSON.parse(new TextDecoder().decode(out.Payload)) as { sourceIp?: string | null; errorMessage?: string }) : {};
    return out.FunctionError ? { error: body.errorMessage ?? out.FunctionError } : { sourceIp: body.sourceIp ?? null };
  },
});

const PASSWORD = "verify-data-plane";

/** On the emulator: the probe's bundle in the data plane's private host, through its NAT, to a database of the config's engine. */
export const dataPlaneRunner: ProbeRunner = {
  where: "the probe's bundle in network namespaces (the emulator runs no function)",
  expected: (network, ips) => ({ addresses: [ADDR.egress], called: `the data plane's NAT address, standing for the egress IPs of ${network} (${ips.join(", ")})` }),
  run: async (config) => {
    const why = testbedUnavailable();
    if (why) fail(`make verify on the emulator runs the probe in network namespaces, which ${why}`, 2);
    const engine = config.lambda.database.engine;
    const work = mkdtempSync(join(tmpdir(), "fixed-egress-verify-"));
    const bed = createTestbed();
    try {
      const db = await startDatabaseIn(engine, bed.ns.db, { bind: ADDR.db, admit: ADDR.egress, user: "probe", password: PASSWORD, database: "app" });
      try {
        const settings = localProbeSettings({ engine, host: ADDR.db, port: db.port, database: "app", user: "probe", password: PASSWORD, egressIps: [ADDR.egress], connectTimeoutMs: config.lambda.database.connectTimeoutMs });
        const out = await runProbeIn(bed.ns.private, unpackProbe(engine, join(work, engine)), settings, join(ROOT, "node_modules"));
        return out.ok ? { sourceIp: out.result?.sourceIp ?? null } : { error: out.error };
      } finally {
        await db.stop();
      }
    } finally {
      bed.destroy();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/** The verdict and its lines: exit 0 only when the database saw one of the expected addresses. */
export function verdict(network: string, runner: ProbeRunner, egressIps: readonly string[], seen: Seen): { text: string; code: number } {
  const { addresses, called } = runner.expected(network, egressIps);
  const head = `verify ${network}: the probe ran as ${runner.where}.`;
  if (seen.error !== undefined) return { text: `${head}\nthe database is unreachable: ${seen.error}\n`, code: 1 };
  if (!seen.sourceIp) return { text: `${head}\nthe database reported no client address: nothing to compare with ${addresses.join(", ")}\n`, code: 1 };
  const ok = addresses.includes(seen.sourceIp);
  const line = ok
    ? `the database saw ${seen.sourceIp}: ${called}`
    : `the database saw ${seen.sourceIp}, not ${called}: traffic leaves another way; make drift says whether the path changed outside Terraform`;
  return { text: `${head}\n${line}\n`, code: ok ? 0 : 1 };
}

async function verify(): Promise<number> {
  const { config } = configFromEnv();
  const names = stackNames(config);
  try {
    await checkStateBucket(config);
  } catch (err) {
    fail(`state bucket: ${(err as Error).message}`);
  }
  synth(config);
  await initStack(config, names.network, `verify-${names.network}`);
  const egressIps = (await outputsOf(names.network, "verify"))[NETWORK_OUTPUTS.egressIps] as string[] | undefined;
  if (!egressIps?.length) fail(`${names.network} has no egress IPs in its state: deploy it first (make deploy)`);
  let runner = dataPlaneRunner;
  if (!config.emulator) {
    await initStack(config, names.app, `verify-${names.app}`);
    const functionName = (await outputsOf(names.app, "verify")).function_name as string | undefined;
    if (!functionName) fail(`${names.app} has no function_name output: deploy it first (make deploy)`);
    runner = lambdaRunner(functionName, new LambdaClient(clientSettings(config)));
  }
  const { text, code } = verdict(names.network, runner, egressIps, await runner.run(config));
  process.stdout.write(text);
  return code;
}

export const verifyJob: Job = {
  summary: "run the deployed probe once and compare the address the database saw with the egress IPs (exit 1 when they differ)",
  usage: "make verify  (tsx jobs/main.ts verify)",
  options: {},
  run: verify,
};
