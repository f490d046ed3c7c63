/**
 * Monthly cost of a config's egress before it exists, from config/prices.json: the NAT devices of both
 * providers side by side for the config's NAT count (priced here by what each device is billed as: NatDevice.billing),
 * and the internet data transfer out, which is billed the same with either and so stays outside both totals.
 * Usage: tsx jobs/main.ts cost [--gb N]      (make cost GB=N)
 */
import { EGRESS_CANARY_DEFAULTS, NatBilling, NatProvider, natDeviceCount, rateSeconds } from "@fixed-egress/constructs";
import prices from "../config/prices.json";
import { DEFAULT_CONFIG, loadConfig, natProviderOf } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { Job, JobValues, fail } from "./cli";

/** List prices of one region (config/prices.json). */
export interface Prices {
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  readonly publicIpv4Hour: number;
  /** on-demand USD per hour, by instance type */
  readonly instanceHour: Record<string, number>;
  /** gp3, USD per GB-month */
  readonly ebsGbMonth: number;
  /** internet data transfer out, USD per GB (either NAT) */
  readonly dataTransferOutGb: number;
  /** a standard-resolution CloudWatch alarm, USD per month */
  readonly cloudwatchAlarmMonth: number;
}

/** What each device carries besides itself: its Elastic IPs and its CloudWatch alarms. */
export interface DeviceExtras {
  /** Elastic IPs per device, the primary included @default 1 */
  readonly addresses?: number;
  /** CloudWatch alarms per device @default 0 */
  readonly alarms?: number;
}

/** One line of a monthly cost: what, and USD per month. */
export interface CostLine {
  readonly label: string;
  readonly usd: number;
}

const REGIONS = prices.regions as Record<string, Prices>;
export const HOURS_PER_MONTH = prices.hoursPerMonth;

export function pricesFor(region: string): Prices {
  const p = REGIONS[region];
  if (!p) throw new Error(`no prices for region "${region}"; known regions: ${Object.keys(REGIONS).join(", ")} (add it to config/prices.json)`);
  return p;
}

type Pricer = (p: Prices, billing: NatBilling, devices: number, gb: number, hours: number, addresses: number) => CostLine[];

/** How each kind of NAT device is billed, by what the network reports it is billed as (`NatDevice.billing.item`). */
const PRICERS: Record<string, Pricer> = {
  "nat-gateway": (p, _b, devices, gb, hours, addresses) => [
    { label: `NAT Gateway hours (${p.natGatewayHour} USD/h each)`, usd: devices * hours * p.natGatewayHour },
    { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP${addresses > 1 ? `, ${addresses} each` : ""})`, usd: devices * addresses * hours * p.publicIpv4Hour },
    { label: `NAT processing ${gb} GB (${p.natGatewayGb} USD/GB)`, usd: devices > 0 ? gb * p.natGatewayGb : 0 },
  ],
  "ec2-instance": (p, b, devices, _gb, hours, addresses) => {
    const type = String(b.instanceType);
    const hour = p.instanceHour[type];
    if (hour === undefined) throw new Error(`no price for instance type "${type}"; known: ${Object.keys(p.instanceHour).join(", ")} (add it to config/prices.json)`);
    const gb = Number(b.rootVolumeGb);
    return [
      { label: `${type} hours (${hour} USD/h each)`, usd: devices * hours * hour },
      { label: `EBS gp3 ${gb} GB each (${p.ebsGbMonth} USD/GB-month)`, usd: devices * gb * p.ebsGbMonth },
      { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, usd: devices * addresses * hours * p.publicIpv4Hour },
      { label: "NAT processing (none with an instance)", usd: 0 },
    ];
  },
};

/**
 * The monthly cost of `devices` devices billed as `billing` carrying `gbPerMonth`, line by line: the device, its
 * public IPv4 addresses, the processing, and its alarms when it has any.
 */
export function devicesCost(p: Prices, billing: NatBilling, devices: number, gbPerMonth: number, extras: DeviceExtras = {}, hours = HOURS_PER_MONTH): CostLine[] {
  const pricer = PRICERS[billing.item];
  if (!pricer) throw new Error(`no pricing for NAT devices billed as "${billing.item}"; known: ${Object.keys(PRICERS).join(", ")}`);
  const alarms = extras.alarms ?? 0;
  return [
    ...pricer(p, billing, devices, gbPerMonth, hours, extras.addresses ?? 1),
    ...(alarms > 0 ? [{ label: `CloudWatch alarms, ${alarms} each (${p.cloudwatchAlarmMonth} USD/month per alarm)`, usd: devices * alarms * p.cloudwatchAlarmMonth }] : []),
  ];
}

/** A config's extras for a provider: secondary addresses (gateways only), and the alarms the provider gives each device. */
export const extrasOf = (config: Pick<AppConfig, "network">, provider: NatProvider): DeviceExtras => ({
  // Created secondaries, or the most an adopted gateway keeps.
  addresses: 1 + (provider.maxAddressesPerDevice > 1 ? Math.max(config.network.natGatewaySecondaryEips ?? 0, ...(config.network.adopt?.natGateways ?? []).map((n) => n.secondaryAddresses?.length ?? 0)) : 0),
  alarms: provider.alarmsPerDevice(config.network.alarms !== undefined),
});

const total = (lines: CostLine[]) => lines.reduce((sum, line) => sum + line.usd, 0);

/** A provider's monthly total for `devices` devices (brought EIPs are billed all the same). */
export function providerTotal(provider: NatProvider, region: string, devices: number, gbPerMonth: number, extras: DeviceExtras = {}): number {
  return total(devicesCost(pricesFor(region), provider.billing, devices, gbPerMonth, extras));
}

/**
 * Monthly cost of a plan's NAT devices and egress addresses, before and after it: NAT Gateways, NAT instances by
 * type, and every Elastic IP a NAT device holds (secondary ones too). Alarms are not in a plan's count.
 */
export function monthlyNatCost(
  region: string,
  before: { gateways: number; instanceTypes: string[]; eips: number },
  after: { gateways: number; instanceTypes: string[]; eips: number },
  gbPerMonth = 100,
): { before: number; after: number } | undefined {
  const p = REGIONS[region];
  if (!p) return undefined;
  const devicesOnly = { addresses: 0 };
  const at = (x: { gateways: number; instanceTypes: string[]; eips: number }) =>
    providerTotal(NatProvider.gateway(), region, x.gateways, gbPerMonth, devicesOnly) +
    x.instanceTypes.reduce((sum, type) => sum + (p.instanceHour[type] !== undefined ? providerTotal(NatProvider.instance({ instanceType: type }), region, 1, gbPerMonth, devicesOnly) : 0), 0) +
    x.eips * HOURS_PER_MONTH * p.publicIpv4Hour;
  return { before: at(before), after: at(after) };
}

export const natCount = (config: Pick<AppConfig, "network">) => natDeviceCount(config.network.natPlacement, config.network.availabilityZones.length);

const usd = (n: number) => `${n.toFixed(2)} USD`;

export function costReport(config: AppConfig, gbPerMonth: number): string {
  const p = pricesFor(config.region);
  const devices = natCount(config);
  const instanceType = config.network.natInstanceType;
  const column = (name: string, provider: NatProvider) => ({ name, lines: devicesCost(p, provider.billing, devices, gbPerMonth, extrasOf(config, provider)) });
  const columns = [column("gateway", NatProvider.gateway()), column(`instance (${instanceType})`, NatProvider.instance({ instanceType }))];
  const w = Math.max(...columns.flatMap((c) => c.lines.map((l) => l.label.length)), 30);
  const lines = [
    `Monthly cost of "${config.name}" in ${config.region}: ${devices} NAT device(s) (natPlacement "${config.network.natPlacement}"), ${gbPerMonth} GB a month (${HOURS_PER_MONTH} h/month, list prices recorded ${prices.recorded}):`,
  ];
  for (const c of columns) {
    lines.push("", `${c.name}:`);
    for (const l of c.lines) lines.push(`  ${l.label.padEnd(w)}  ${usd(l.usd).padStart(12)}`);
    lines.push(`  ${"total per month".padEnd(w)}  ${usd(total(c.lines)).padStart(12)}`);
  }
  const [gateway, instance] = columns.map((c) => total(c.lines));
  lines.push(
    "",
    `instance / gateway: ${((instance / gateway) * 100).toFixed(1)}%`,
    `internet data transfer out, ${gbPerMonth} GB (${p.dataTransferOutGb} USD/GB): ${usd(gbPerMonth * p.dataTransferOutGb)} with either NAT, outside both totals`,
    `This config (natProvider "${config.network.natProvider}"): ${usd(configTotal(config, gbPerMonth))} per month for the NAT. Billing starts when the NAT device is created.`,
    ...publishingLines(config),
    ...canaryLines(config, p),
  );
  return lines.join("\n");
}

/** What publishing the egress IPs adds (nothing: said, so nobody has to look it up). */
function publishingLines(config: AppConfig): string[] {
  const pub = config.network.publishEgressIps;
  if (!pub) return [];
  const what = [pub.prefixList ? "a customer-managed prefix list" : "", (pub.shareWith ?? []).length > 0 ? "its AWS RAM share" : "", pub.ssmParameter ? "a standard-tier SSM parameter" : ""].filter(Boolean);
  return [`Publishing the egress IPs (${what.join(", ")}): 0.00 USD; AWS charges nothing for these.`];
}

/** What the egress canary adds: its two alarms, priced; what it runs, named (its prices are not recorded here). */
function canaryLines(config: AppConfig, p: Prices): string[] {
  const canary = config.lambda.canary;
  if (!canary) return [];
  const schedule = canary.schedule ?? EGRESS_CANARY_DEFAULTS.schedule;
  const runs = Math.round((HOURS_PER_MONTH * 3600) / (rateSeconds(schedule) as number));
  return [
    `Egress canary (${schedule}, ${runs} runs a month): 2 CloudWatch alarms ${usd(2 * p.cloudwatchAlarmMonth)} per month; its 2 custom metrics, the function's runs and the schedule's invocations are billed at CloudWatch, Lambda and EventBridge Scheduler prices, which config/prices.json does not record.`,
  ];
}

/** One line for the end of `make demo`. */
export function costLine(config: AppConfig, gbPerMonth = 100): string {
  const devices = natCount(config);
  const billing = natProviderOf(config.network).billing;
  const what = DEVICE_NAMES[billing.item]?.(billing) ?? `NAT device(s) (${billing.item})`;
  return `Cost on AWS (${config.region}, list price): about ${usd(configTotal(config, gbPerMonth))} per month for ${devices} ${what} with ${gbPerMonth} GB; see make cost.`;
}

/** What the config's NAT costs a month: its provider's devices with their addresses and alarms. */
function configTotal(config: AppConfig, gbPerMonth: number): number {
  const provider = natProviderOf(config.network);
  return providerTotal(provider, config.region, natCount(config), gbPerMonth, extrasOf(config, provider));
}

/** How the one-line cost names the devices, by what they are billed as. */
const DEVICE_NAMES: Record<string, (b: NatBilling) => string> = {
  "nat-gateway": () => "NAT Gateway(s)",
  "ec2-instance": (b) => `NAT instance(s) (${String(b.instanceType)})`,
};

/** `--gb N`: GB a month through the NAT (default 100). */
export function parseGb(value: string | undefined): number {
  if (value === undefined) return 100;
  const v = Number(value);
  if (value.trim() === "" || !Number.isFinite(v) || v < 0) fail(`--gb "${value}" is not a number of GB per month; give one such as --gb 100`, 2);
  return v;
}

export const costJob: Job = {
  summary: "the monthly cost of the config's NAT, gateway and instance side by side",
  usage: "make cost [GB=<GB a month>]",
  options: { gb: { type: "string" } },
  run: async (values: JobValues) => {
    const config = loadConfig(process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG);
    process.stdout.write(costReport(config, parseGb(values.gb as string | undefined)) + "\n");
  },
};
