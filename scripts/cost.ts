/**
 * Monthly cost of a config's egress topology before it exists: NAT Gateway hours × count, public IPv4
 * hours per Elastic IP, per-GB processing for an assumed volume; single and perAz side by side.
 * Usage: tsx scripts/cost.ts [--gb N]      (make cost GB=N)
 */
import prices from "../config/prices.json";
import { ConfigError, DEFAULT_CONFIG, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { fail } from "./cli";

export interface RegionPrices {
  readonly natGatewayHour: number;
  readonly natGatewayGb: number;
  readonly publicIpv4Hour: number;
}

export interface Estimate {
  readonly natGateways: number;
  readonly natHours: number;
  readonly publicIpv4: number;
  readonly processing: number;
  readonly total: number;
}

const REGIONS = prices.regions as Record<string, RegionPrices>;

export function pricesFor(region: string): RegionPrices {
  const p = REGIONS[region];
  if (!p) throw new Error(`no prices for region "${region}"; known regions: ${Object.keys(REGIONS).join(", ")} (add it to config/prices.json)`);
  return p;
}

/** The traffic is assumed to leave through the NAT Gateways; bring-your-own EIPs are billed all the same. */
export function estimate(region: string, natGateways: number, gbPerMonth: number): Estimate {
  const p = pricesFor(region);
  const h = prices.hoursPerMonth;
  const natHours = natGateways * h * p.natGatewayHour;
  const publicIpv4 = natGateways * h * p.publicIpv4Hour;
  const processing = gbPerMonth * p.natGatewayGb;
  return { natGateways, natHours, publicIpv4, processing, total: natHours + publicIpv4 + processing };
}

/** Monthly list price of `before` and `after` NAT Gateways (hours, public IPv4, and the assumed traffic when there is a NAT at all). */
export function monthlyNatCost(region: string, before: number, after: number, gbPerMonth = 100): { before: number; after: number } | undefined {
  if (!REGIONS[region]) return undefined;
  const at = (n: number) => (n === 0 ? 0 : estimate(region, n, gbPerMonth).total);
  return { before: at(before), after: at(after) };
}

export const natCount = (config: Pick<AppConfig, "network">, mode = config.network.natGateways) =>
  mode === "perAz" ? config.network.availabilityZones.length : 1;

const usd = (n: number) => `${n.toFixed(2)} USD`;

export function costReport(config: AppConfig, gbPerMonth: number): string {
  const single = estimate(config.region, natCount(config, "single"), gbPerMonth);
  const perAz = estimate(config.region, natCount(config, "perAz"), gbPerMonth);
  const p = pricesFor(config.region);
  const mine = config.network.natGateways === "perAz" ? perAz : single;
  const rows: [string, (e: Estimate) => string][] = [
    ["NAT Gateways", (e) => String(e.natGateways)],
    [`NAT Gateway hours (${p.natGatewayHour} USD/h)`, (e) => usd(e.natHours)],
    [`public IPv4 (${p.publicIpv4Hour} USD/h per EIP)`, (e) => usd(e.publicIpv4)],
    [`processing ${gbPerMonth} GB (${p.natGatewayGb} USD/GB)`, (e) => usd(e.processing)],
    ["total per month", (e) => usd(e.total)],
  ];
  const w = Math.max(...rows.map(([l]) => l.length));
  const lines = [
    `Monthly cost of "${config.name}" in ${config.region} (${prices.hoursPerMonth} h/month, list prices recorded ${prices.recorded}):`,
    `${"".padEnd(w)}  ${"single".padStart(12)}  ${"perAz".padStart(12)}`,
    ...rows.map(([label, f]) => `${label.padEnd(w)}  ${f(single).padStart(12)}  ${f(perAz).padStart(12)}`),
    `This config (natGateways "${config.network.natGateways}"): ${usd(mine.total)} per month. Billing starts when a NAT Gateway is created.`,
  ];
  return lines.join("\n");
}

/** One line for the end of `make demo`. */
export function costLine(config: AppConfig, gbPerMonth = 100): string {
  const e = estimate(config.region, natCount(config), gbPerMonth);
  return `Cost on AWS (${config.region}, list price): about ${usd(e.total)} per month for ${e.natGateways} NAT Gateway(s) with ${gbPerMonth} GB; see make cost.`;
}

export function parseGb(argv: string[]): number {
  const i = argv.indexOf("--gb");
  if (i < 0) return 100;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--gb "${argv[i + 1] ?? ""}" is not a number of GB per month; give one such as --gb 100`);
  return v;
}

if (require.main === module) {
  try {
    const config = loadConfig(process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG);
    process.stdout.write(costReport(config, parseGb(process.argv.slice(2))) + "\n");
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : (err as Error).message);
  }
}
