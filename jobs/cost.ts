/**
 * Monthly cost of a config's egress before it exists, from config/prices.json: the NAT devices of both
 * providers side by side for the config's NAT count (priced here by what each device is billed as: NatDevice.billing),
 * and the internet data transfer out, which is billed the same with either and so stays outside both totals.
 * Usage: tsx jobs/main.ts cost [--gb N]      (make cost GB=N)
 */
import { NatBilling, NatProvider, natDeviceCount } from "@fixed-egress/constructs";
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

type Pricer = (p: Prices, billing: NatBilling, devices: number, gb: number, hours: number) => CostLine[];

/** How each kind of NAT device is billed, by what the network reports it is billed as (`NatDevice.billing.item`). */
const PRICERS: Record<string, Pricer> = {
  "nat-gateway": (p, _b, devices, gb, hours) => [
    { label: `NAT Gateway hours (${p.natGatewayHour} USD/h each)`, usd: devices * hours * p.natGatewayHour },
    { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, usd: devices * hours * p.publicIpv4Hour },
    { label: `NAT processing ${gb} GB (${p.natGatewayGb} USD/GB)`, usd: devices > 0 ? gb * p.natGatewayGb : 0 },
  ],
  "ec2-instance": (p, b, devices, _gb, hours) => {
    const type = String(b.instanceType);
    const hour = p.instanceHour[type];
    if (hour === undefined) throw new Error(`no price for instance type "${type}"; known: ${Object.keys(p.instanceHour).join(", ")} (add it to config/prices.json)`);
    const gb = Number(b.rootVolumeGb);
    return [
      { label: `${type} hours (${hour} USD/h each)`, usd: devices * hours * hour },
      { label: `EBS gp3 ${gb} GB each (${p.ebsGbMonth} USD/GB-month)`, usd: devices * gb * p.ebsGbMonth },
      { label: `public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, usd: devices * hours * p.publicIpv4Hour },
      { label: "NAT processing (none with an instance)", usd: 0 },
    ];
  },
};

/** The monthly cost of `devices` devices billed as `billing` carrying `gbPerMonth`, line by line (the public IPv4 included). */
export function devicesCost(p: Prices, billing: NatBilling, devices: number, gbPerMonth: number, hours = HOURS_PER_MONTH): CostLine[] {
  const pricer = PRICERS[billing.item];
  if (!pricer) throw new Error(`no pricing for NAT devices billed as "${billing.item}"; known: ${Object.keys(PRICERS).join(", ")}`);
  return pricer(p, billing, devices, gbPerMonth, hours);
}

const total = (lines: CostLine[]) => lines.reduce((sum, line) => sum + line.usd, 0);

/** A provider's monthly total for `devices` devices (brought EIPs are billed all the same). */
export function providerTotal(provider: NatProvider, region: string, devices: number, gbPerMonth: number): number {
  return total(devicesCost(pricesFor(region), provider.billing, devices, gbPerMonth));
}

/** Monthly NAT cost before and after a plan, from what it creates: NAT Gateways, and NAT instances by type. */
export function monthlyNatCost(
  region: string,
  before: { gateways: number; instanceTypes: string[] },
  after: { gateways: number; instanceTypes: string[] },
  gbPerMonth = 100,
): { before: number; after: number } | undefined {
  if (!REGIONS[region]) return undefined;
  const at = (x: { gateways: number; instanceTypes: string[] }) =>
    providerTotal(NatProvider.gateway(), region, x.gateways, gbPerMonth) +
    x.instanceTypes.reduce((sum, type) => sum + (REGIONS[region].instanceHour[type] !== undefined ? providerTotal(NatProvider.instance({ instanceType: type }), region, 1, gbPerMonth) : 0), 0);
  return { before: at(before), after: at(after) };
}

export const natCount = (config: Pick<AppConfig, "network">) => natDeviceCount(config.network.natPlacement, config.network.availabilityZones.length);

const usd = (n: number) => `${n.toFixed(2)} USD`;

export function costReport(config: AppConfig, gbPerMonth: number): string {
  const p = pricesFor(config.region);
  const devices = natCount(config);
  const instanceType = config.network.natInstanceType;
  const columns = [
    { name: "gateway", lines: devicesCost(p, NatProvider.gateway().billing, devices, gbPerMonth) },
    { name: `instance (${instanceType})`, lines: devicesCost(p, NatProvider.instance({ instanceType }).billing, devices, gbPerMonth) },
  ];
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
    `This config (natProvider "${config.network.natProvider}"): ${usd(providerTotal(natProviderOf(config.network), config.region, devices, gbPerMonth))} per month for the NAT. Billing starts when the NAT device is created.`,
  );
  return lines.join("\n");
}

/** One line for the end of `make demo`. */
export function costLine(config: AppConfig, gbPerMonth = 100): string {
  const devices = natCount(config);
  const provider = natProviderOf(config.network);
  const total = providerTotal(provider, config.region, devices, gbPerMonth);
  const what = provider.kind === "instance" ? `NAT instance(s) (${config.network.natInstanceType})` : "NAT Gateway(s)";
  return `Cost on AWS (${config.region}, list price): about ${usd(total)} per month for ${devices} ${what} with ${gbPerMonth} GB; see make cost.`;
}

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
