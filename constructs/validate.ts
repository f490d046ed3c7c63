import { Token } from "cdktf";
import { Ipv4Range, contains, overlaps, parseCidr } from "./cidr";
import { Problem } from "./errors";

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Lambda's limits for memory (MB) and timeout (seconds). */
export const LAMBDA_LIMITS = { memoryMb: { min: 128, max: 10240 }, timeoutSeconds: { min: 1, max: 900 } } as const;

/** An AWS resource id of one kind: its prefix, a hyphen, 8 or 17 hex digits (`vpc-0a1b2c3d4e5f67890`). */
export const awsIdPattern = (prefix: "vpc" | "igw" | "subnet" | "rtb" | "nat" | "eipalloc"): RegExp => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);

/** An SNS topic's ARN (where alarms notify). */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** AWS accepts VPC and subnet blocks from /16 to /28. */
const AWS_PREFIX = { min: 16, max: 28 };

const isToken = (v: unknown): boolean => typeof v === "string" && Token.isUnresolved(v);

/** Collects problems; every check below adds at most one sentence per field. */
export class Problems {
  public readonly list: Problem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
}

/** Parses a CIDR that AWS accepts for a VPC or subnet; adds a problem and returns undefined when it cannot. */
export function awsCidr(problems: Problems, field: string, value: string): Ipv4Range | undefined {
  if (isToken(value)) return undefined;
  const r = parseCidr(value);
  if (typeof r === "string") {
    problems.add(field, r);
    return undefined;
  }
  if (r.prefix < AWS_PREFIX.min || r.prefix > AWS_PREFIX.max) {
    problems.add(field, `"${value}" has prefix /${r.prefix}; AWS accepts /${AWS_PREFIX.min} to /${AWS_PREFIX.max} for VPCs and subnets`);
    return undefined;
  }
  return r;
}

export function checkPattern(problems: Problems, field: string, value: string | undefined, pattern: RegExp, fix: string): void {
  if (value === undefined || isToken(value)) return;
  if (!pattern.test(value)) problems.add(field, `"${value}" is not valid; ${fix}`);
}

export function checkInteger(problems: Problems, field: string, value: number | undefined, min: number, max: number, unit: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.add(field, `${value} is out of range; use a whole number of ${unit} from ${min} to ${max}`);
  }
}

export function checkRetention(problems: Problems, field: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    problems.add(field, `${value} is not a CloudWatch Logs retention period; use one of ${LOG_RETENTION_DAYS.join(", ")}`);
  }
}

export interface SubnetLayout {
  readonly vpcCidr?: string;
  readonly availabilityZones: string[];
  readonly publicSubnetCidrs: string[];
  readonly privateSubnetCidrs: string[];
}

/** AZ list, one public and one private subnet per AZ, all inside the VPC and none overlapping. */
export function checkSubnetLayout(problems: Problems, layout: SubnetLayout): void {
  const azs = layout.availabilityZones;
  if (azs.length === 0) problems.add("availabilityZones", "is empty; give at least one availability zone, for example [\"ap-northeast-1a\"]");
  azs.forEach((az, i) => {
    if (!isToken(az) && azs.indexOf(az) !== i) {
      problems.add(`availabilityZones[${i}]`, `"${az}" is listed twice; each availability zone may appear once`);
    }
  });

  const vpc = layout.vpcCidr !== undefined ? awsCidr(problems, "vpcCidr", layout.vpcCidr) : undefined;
  const seen: { field: string; text: string; range: Ipv4Range }[] = [];
  for (const kind of ["publicSubnetCidrs", "privateSubnetCidrs"] as const) {
    const cidrs = layout[kind];
    if (azs.length > 0 && cidrs.length !== azs.length) {
      problems.add(kind, `has ${cidrs.length} block(s) for ${azs.length} availability zone(s); give exactly one CIDR per availability zone, in the same order`);
    }
    cidrs.forEach((text, i) => {
      const field = `${kind}[${i}]`;
      const range = awsCidr(problems, field, text);
      if (!range) return;
      if (vpc && !contains(vpc, range)) {
        problems.add(field, `"${text}" is outside vpcCidr "${layout.vpcCidr}"; pick a range inside it`);
      }
      const clash = seen.find((s) => overlaps(s.range, range));
      if (clash) problems.add(field, `"${text}" overlaps ${clash.field} "${clash.text}"; subnets must not share addresses`);
      seen.push({ field, text, range });
    });
  }
}
