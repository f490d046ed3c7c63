/**
 * make adopt: finds a network built by hand (in the console, step by step) through the AWS API and writes
 * config/<name>.json that describes it as it is and names each resource to import, so the first deploy
 * imports it and the egress IP stays. Refuses, naming what and why, a network it cannot adopt; then no
 * file is written.
 * Usage: FIXED_EGRESS_CONFIG=<base config> tsx jobs/main.ts adopt --vpc <vpc-id> --name <env-name> [--out <file>] [--force]
 *   region, backend, emulator, tags and the lambda section come from the base config (default config/local.json).
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { dirname, isAbsolute, join, relative, resolve } from "path";
import { NAME_PATTERN, awsIdPattern } from "@fixed-egress/constructs";
import { stackNames } from "../stacks";
import { ConfigError, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { discoverNetwork } from "./adopt-facts";
import { Adoption, adoptionOf } from "./adoption";
import { clientSettings } from "./aws";
import { aws, existingStateOf } from "./bootstrap-state";
import { Job, JobValues, fail } from "./cli";
import { ROOT, shown } from "./paths";
import { configFromEnv } from "./app";
import { say } from "./steps";

export { adoptionOf, discoverNetwork };
export type { Adoption };
export type { NetworkFacts } from "./adopt-facts";

/** Text columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/** The config file of an adopted network: the base config's settings and lambda section, the discovered network. */
export function adoptedConfig(base: Record<string, unknown>, baseFile: string, out: string, name: string, network: Adoption["network"]): Record<string, unknown> {
  const lambda = structuredClone(base.lambda) as { database?: { caBundle?: string } };
  // A path in a config file is relative to that file: re-anchor the CA bundle's at the new file.
  const ca = lambda.database?.caBundle;
  if (ca !== undefined && !isAbsolute(ca)) lambda.database!.caBundle = relative(dirname(out), resolve(dirname(baseFile), ca));
  const pick = (k: string) => (base[k] !== undefined ? { [k]: base[k] } : {});
  return {
    $schema: relative(dirname(out), join(ROOT, "config", "schema.json")),
    name,
    ...pick("region"),
    ...pick("tags"),
    ...pick("backend"),
    ...pick("emulator"),
    network,
    lambda,
  };
}

const USAGE = "make adopt VPC=<vpc-id> NAME=<env-name> [OUT=<file>] [ARGS=--s3-endpoint] (or npm run adopt -- --vpc <id> --name <name> [--out <file>] [--force] [--s3-endpoint])";

function args(values: JobValues): { vpc: string; name: string; out?: string; force: boolean; s3Endpoint: boolean } {
  const { vpc, name, out, force } = values as { vpc?: string; name?: string; out?: string; force?: boolean };
  if (!vpc) fail(`give the VPC to adopt; usage: ${USAGE}`, 2);
  if (!awsIdPattern("vpc").test(vpc)) fail(`--vpc "${vpc}" is not a VPC id; give one such as vpc-0a1b2c3d4e5f67890`, 2);
  if (!name) fail(`give the environment's name; usage: ${USAGE}`, 2);
  if (!NAME_PATTERN.test(name)) fail(`--name "${name}" is not valid; use 2-32 lowercase letters, digits or hyphens, starting with a letter, for example "orders"`, 2);
  return { vpc, name, out, force: force ?? false, s3Endpoint: values["s3-endpoint"] === true };
}

async function adopt(values: JobValues): Promise<void> {
  const opts = args(values);
  const { file: baseFile, config } = configFromEnv();
  const out = resolve(opts.out ?? join(ROOT, "config", `${opts.name}.json`));
  if (existsSync(out) && !opts.force) fail(`${shown(out)} already exists; give another --out (OUT=…), or --force to replace it`);
  const target: AppConfig = { ...config, name: opts.name };
  const network = stackNames(target).network;
  say(`fixed-egress: adopting ${opts.vpc} (${config.emulator ? `the emulator at ${config.emulator.endpoint}` : `AWS ${config.region}`}) as "${opts.name}"`);

  const state = await existingStateOf(target, network).catch((err: Error) => fail(`reading the state bucket: ${err.message}`));
  if (state) fail(`${network} already has a state (${state}): an environment named "${opts.name}" is deployed, and adopting into it would replace its network; choose another NAME`);

  const ec2 = new EC2Client(clientSettings(config));
  let facts: Awaited<ReturnType<typeof discoverNetwork>>;
  try {
    facts = await aws(config, () => discoverNetwork(ec2, opts.vpc, config.region));
  } catch (err) {
    return fail(`discovering ${opts.vpc}: ${(err as Error).message}`);
  } finally {
    ec2.destroy();
  }
  const adoption = "problems" in facts ? facts : adoptionOf(facts, { name: opts.name, s3Endpoint: opts.s3Endpoint });
  if ("problems" in adoption) {
    fail(`${adoption.problems.map((p) => `cannot adopt: ${p}`).join("\n")}\nNothing was written.`);
  }

  // Written beside, checked as any config is, then moved into place: a bad file is never left behind.
  const base = JSON.parse(readFileSync(baseFile, "utf8")) as Record<string, unknown>;
  const text = `${JSON.stringify(adoptedConfig(base, baseFile, out, opts.name, adoption.network), null, 2)}\n`;
  const temp = `${out}.${process.pid}.tmp`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(temp, text);
  try {
    loadConfig(temp);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof ConfigError) fail(`the written config does not load (a bug; nothing was written):\n${err.message}`);
    throw err;
  }
  renameSync(temp, out);

  say("");
  say(
    table([
      ["AZ", "public subnet", "private subnet", "route tables (public / private)", "NAT Gateway", "Elastic IP"],
      ...adoption.rows.map((r) => [r.az, r.publicSubnet, r.privateSubnet, r.routeTables, r.natGateway, r.elasticIp]),
    ]),
  );
  say("");
  say(`NAT: ${adoption.network.natPlacement} (${adoption.rows.length} zone(s)). Egress IPs kept: ${adoption.egressIps.join(", ")}`);
  for (const n of adoption.notes) say(`note: ${n}`);
  say(`Wrote ${shown(out)} (the lambda section is ${shown(baseFile)}'s: check it).`);
  say(`Next: FIXED_EGRESS_CONFIG=${shown(out)} make plan    (imports everything, replaces nothing; then make deploy)`);
}

export const adoptJob: Job = {
  summary: "write the config that adopts a hand-built VPC by import (nothing is changed in AWS)",
  usage: USAGE,
  options: { vpc: { type: "string" }, name: { type: "string" }, out: { type: "string" }, force: { type: "boolean" }, "s3-endpoint": { type: "boolean" } },
  run: adopt,
};
