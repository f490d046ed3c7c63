import { readFileSync } from "fs";
import { dirname, resolve } from "path";
import Ajv, { ErrorObject } from "ajv";
import schema from "../config/schema.json";
import { NatProvider, parseCidr, rateSeconds, validateLambdaProps, validateNetworkProps } from "@fixed-egress/constructs";
import type { FixedEgressNetworkProps, PrivateLambdaProps } from "@fixed-egress/constructs";
import { DEFAULT_PORTS, PROBE_ENV } from "../lambda-src/settings";
import type { Engine, TlsMode } from "../lambda-src/settings";

export const DEFAULT_CONFIG = "config/local.json";
export const DEFAULT_KEY_PREFIX = "fixed-egress";
/** Days the state bucket keeps a noncurrent version of a state or lock object. */
export const DEFAULT_NONCURRENT_VERSION_DAYS = 90;

export interface AppConfig {
  readonly name: string;
  readonly region: string;
  readonly tags: Record<string, string>;
  readonly backend:
    | { readonly type: "s3"; readonly bucket: string; readonly keyPrefix: string; readonly region?: string; readonly noncurrentVersionDays: number }
    | { readonly type: "local"; readonly path?: string };
  /** endpoint without a trailing slash */
  readonly emulator?: { readonly endpoint: string };
  /** The FixedEgressNetwork props (config keys and prop names are the same), defaults applied. */
  readonly network: Omit<FixedEgressNetworkProps, "name" | "tags" | "natProvider" | "natGateways"> &
    Required<Pick<FixedEgressNetworkProps, "natPlacement" | "protectEgressIps" | "mapPublicIpOnLaunch" | "s3Endpoint">> & {
      /** who does the NAT; the construct's NatProvider is made from this by natProviderOf */
      readonly natProvider: "gateway" | "instance";
      readonly natInstanceType: string;
      readonly natInstanceAmiId?: string;
      readonly natInstanceAmiParameter?: string;
      /** the addresses the database admits: the guard passes a plan whose egress IPs after apply are all among them */
      readonly allowListedEgressIps?: string[];
    };
  readonly lambda: {
    readonly functionName?: string;
    readonly memoryMb: number;
    readonly timeoutSeconds: number;
    readonly logRetentionDays: number;
    readonly database: {
      readonly engine: Engine;
      readonly host: string;
      readonly port: number;
      readonly name: string;
      readonly user: string;
      readonly passwordSecretArn?: string;
      readonly passwordSecretKmsKeyArn?: string;
      readonly cidrs?: string[];
      /** absolute path (the config gives it relative to its own folder) */
      readonly caBundle?: string;
      readonly connectTimeoutMs: number;
      readonly tls: TlsMode;
    };
    /** the egress canary (constructs' EgressCanary): the probe on a schedule, its metrics and alarms */
    readonly canary?: { readonly schedule?: string; readonly expectedIps?: string[]; readonly observer?: string };
  };
}

/** Every problem of a config file, one line each: `<file>: <json path>: <message>`. */
export class ConfigError extends Error {
  constructor(public readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const validate = ajv.compile(schema);

/** "/network/publicSubnetCidrs/1" → "$.network.publicSubnetCidrs[1]" */
function jsonPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : `${acc}.${k}`), "$");
}

/** construct field "privateSubnetCidrs[1]" under "$.network" → "$.network.privateSubnetCidrs[1]" */
const under = (base: string, field: string) => (field.startsWith("[") ? `${base}${field}` : `${base}.${field}`);

function describe(e: ErrorObject): { path: string; message: string } {
  const path = jsonPath(e.instancePath);
  switch (e.keyword) {
    case "required":
      return { path: under(path, e.params.missingProperty), message: "is required" };
    case "additionalProperties":
      return {
        path: under(path, e.params.additionalProperty),
        message: `is not a known key; check the spelling (see config/schema.json for the keys allowed here)`,
      };
    case "enum":
      return { path, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "type":
      return { path, message: `must be ${e.params.type}, not ${JSON.stringify(e.data)}` };
    case "pattern": {
      const what = (e.parentSchema as { description?: string } | undefined)?.description;
      return { path, message: `${JSON.stringify(e.data)} does not match ${e.params.pattern}${what ? ` (${what})` : ""}` };
    }
    case "not":
      return { path, message: "has keys that only the s3 backend takes (bucket, keyPrefix, region); remove them or set type to \"s3\"" };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * Reads, schema-checks and semantically checks one environment file, applying defaults. Throws a
 * ConfigError listing every problem; nothing is built from a bad config.
 */
export function loadConfig(file: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)}); set FIXED_EGRESS_CONFIG to an existing file`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: $: is not valid JSON (${(err as Error).message})`]);
  }
  const aliasLine = renameDeprecated(data, file);
  if (!validate(data)) {
    const seen = new Set<string>();
    const lines = (validate.errors ?? [])
      .filter((e) => e.keyword !== "if")
      .map(describe)
      .map(({ path, message }) => `${file}: ${path}: ${message}`)
      .filter((l) => !seen.has(l) && seen.add(l));
    throw new ConfigError(aliasLine ? [aliasLine, ...lines] : lines);
  }
  if (aliasLine) throw new ConfigError([aliasLine]);
  // Defaults that depend on another value (JSON Schema defaults cannot).
  const raw = data as {
    backend: { type: string; keyPrefix?: string; noncurrentVersionDays?: number };
    lambda: { database: { engine: Engine; port?: number; caBundle?: string } };
  };
  raw.lambda.database.port ??= DEFAULT_PORTS[raw.lambda.database.engine];
  if (raw.backend.type === "s3") {
    raw.backend.keyPrefix ??= DEFAULT_KEY_PREFIX;
    raw.backend.noncurrentVersionDays ??= DEFAULT_NONCURRENT_VERSION_DAYS;
  }
  // A path in a config file means a path next to it, whatever the current directory.
  if (raw.lambda.database.caBundle !== undefined) raw.lambda.database.caBundle = resolve(dirname(file), raw.lambda.database.caBundle);
  const emulator = (data as { emulator?: { endpoint: string } }).emulator;
  if (emulator) emulator.endpoint = emulator.endpoint.replace(/\/$/, ""); // one spelling for every client
  const config = data as unknown as AppConfig;
  const lines: string[] = [];
  const network = validateNetworkProps(networkPropsOf(config));
  for (const p of network.list) lines.push(`${file}: ${p.field === "name" ? "$.name" : under("$.network", p.field)}: ${p.message}`);
  const db = config.lambda.database;
  const lambda = validateLambdaProps(lambdaPropsOf(config));
  for (const p of lambda.list) {
    const field = p.field.startsWith("passwordSecret") ? `database.${p.field}` : p.field;
    lines.push(`${file}: ${under("$.lambda", field)}: ${p.message}`);
  }
  const ca = caBundleProblem(db.caBundle, db.tls);
  if (ca) lines.push(`${file}: $.lambda.database.caBundle: ${ca}`);
  for (const [field, message] of canaryProblems(config.lambda.canary)) lines.push(`${file}: $.lambda.canary.${field}: ${message}`);
  if (lines.length > 0) throw new ConfigError(lines);
  return config;
}

/**
 * `network.natGateways` is the deprecated name of `natPlacement` (until 0.5.0): read as natPlacement before the
 * schema applies its default. Returns the error line when both are given and disagree.
 */
function renameDeprecated(data: unknown, file: string): string | undefined {
  const network = (data as { network?: Record<string, unknown> } | null)?.network;
  if (typeof network !== "object" || network === null || !("natGateways" in network)) return undefined;
  const { natGateways, natPlacement } = network;
  if (natPlacement !== undefined && natPlacement !== natGateways) {
    return `${file}: $.network.natGateways: is the deprecated name of natPlacement and says ${JSON.stringify(natGateways)} where natPlacement says ${JSON.stringify(natPlacement)}; drop natGateways`;
  }
  network.natPlacement = natGateways;
  delete network.natGateways;
  return undefined;
}

/** What is wrong with a configured CA bundle (an absolute path by now), or undefined. */
function caBundleProblem(path: string | undefined, tls: TlsMode): string | undefined {
  if (path === undefined) return undefined;
  if (tls !== "verify-full") return `is only used with tls "verify-full" (tls is "${tls}"); set tls to "verify-full" or remove caBundle`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return `"${path}" cannot be read (${(err as NodeJS.ErrnoException).code}); give a PEM file of the database's CA, relative to the config file`;
  }
  if (!text.includes("-----BEGIN CERTIFICATE-----")) return `"${path}" holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA certificate(s) in PEM form`;
  return undefined;
}

/** What is wrong with the canary's settings: [field, message] pairs. */
function canaryProblems(canary: AppConfig["lambda"]["canary"]): [string, string][] {
  if (!canary) return [];
  const out: [string, string][] = [];
  const rate = canary.schedule === undefined ? 0 : rateSeconds(canary.schedule);
  if (typeof rate === "string") out.push(["schedule", rate]);
  canary.expectedIps?.forEach((ip, i) => typeof parseCidr(`${ip}/32`) !== "string" || out.push([`expectedIps[${i}]`, `"${ip}" is not an IPv4 address; list the addresses the database should see, or leave expectedIps out for the network's egress IPs`]));
  if (canary.expectedIps?.length === 0) out.push(["expectedIps", "is empty; list the addresses the database should see, or leave it out for the network's egress IPs"]);
  if (canary.observer !== undefined && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(canary.observer)) {
    out.push(["observer", `"${canary.observer}" is not an HTTPS URL; give an endpoint that answers the caller's address, such as "https://checkip.amazonaws.com"`]);
  }
  return out;
}

/** The config's NAT provider: the one place the config's `natProvider` string becomes a strategy. */
export function natProviderOf(network: AppConfig["network"]): NatProvider {
  return network.natProvider === "instance"
    ? NatProvider.instance({ instanceType: network.natInstanceType, amiId: network.natInstanceAmiId, amiParameter: network.natInstanceAmiParameter })
    : NatProvider.gateway();
}

/** The FixedEgressNetwork props of a config. */
export function networkPropsOf(config: AppConfig): FixedEgressNetworkProps {
  const { natProvider: _kind, natInstanceType: _type, natInstanceAmiId: _ami, natInstanceAmiParameter: _param, allowListedEgressIps: _admitted, ...props } = config.network;
  return { ...props, name: config.name, tags: config.tags, natProvider: natProviderOf(config.network) };
}

/** Where the Node.js Lambda runtime keeps Amazon's CA bundle (RDS included); Node loads it only when told to. */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";
/** The name of a configured caBundle inside the function's zip (under LAMBDA_TASK_ROOT). */
export const CA_BUNDLE_ZIP_NAME = "db-ca-bundle.pem";

/**
 * The probe's PrivateLambda props of a config, all but the network and the code (the app stack adds those,
 * and the egress IPs it reads from the network): the one place the config becomes the function. The
 * probe's variables are named by PROBE_ENV, which the probe reads.
 */
export function lambdaPropsOf(config: AppConfig): Omit<PrivateLambdaProps, "network" | "code"> {
  const db = config.lambda.database;
  const E = PROBE_ENV;
  return {
    functionName: functionNameOf(config),
    memoryMb: config.lambda.memoryMb,
    timeoutSeconds: config.lambda.timeoutSeconds,
    logRetentionDays: config.lambda.logRetentionDays,
    database: { port: db.port, cidrs: db.cidrs },
    passwordSecretArn: db.passwordSecretArn,
    passwordSecretArnVariable: db.passwordSecretArn === undefined ? undefined : E.passwordSecretArn,
    passwordSecretKmsKeyArn: db.passwordSecretKmsKeyArn,
    environment: {
      [E.engine]: db.engine,
      [E.host]: db.host,
      [E.port]: String(db.port),
      [E.database]: db.name,
      [E.user]: db.user,
      [E.connectTimeoutMs]: String(db.connectTimeoutMs),
      [E.tls]: db.tls,
      // verify-full checks the server against Amazon's CAs (RDS) and, when given, the configured bundle.
      ...(db.tls === "verify-full" ? { NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE } : {}),
      ...(db.caBundle ? { [E.tlsCaFile]: CA_BUNDLE_ZIP_NAME } : {}),
      // The canary's metric dimension, and where it asks for the address when the database cannot tell it.
      ...(config.lambda.canary ? { [E.networkName]: config.name } : {}),
      ...(config.lambda.canary?.observer ? { [E.observerUrl]: config.lambda.canary.observer } : {}),
    },
    tags: config.tags,
  };
}

export const functionNameOf = (config: AppConfig): string => config.lambda.functionName ?? `${config.name}-egress-probe`;
