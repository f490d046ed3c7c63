/**
 * make egress-ips: every egress IP of the deployed network, read from its outputs through the remote state, with
 * its zone, NAT device and role: as text, `--format json`, or `--format cidr` (one /32 a line, for firewall
 * imports). `--check FILE` compares them with the addresses a database or partner admits (the guard's allow-list
 * format: one IPv4 address a line, or a JSON array): missing ones fail the job (exit 1), stale ones are named.
 * Usage: make egress-ips [ARGS="--format json|cidr" | ARGS="--check FILE"]
 */
import { NETWORK_OUTPUTS } from "@fixed-egress/constructs";
import type { EgressIpDetail } from "@fixed-egress/constructs";
import { readAllowList } from "@fixed-egress/guard";
import { stackNames } from "../stacks";
import { Job, JobValues, fail } from "./cli";
import { configFromEnv, synth } from "./app";
import { checkStateBucket } from "./bootstrap-state";
import { initStack, outputsOf } from "./stack-steps";
import { progressToStderr } from "./steps";

export const EGRESS_IP_FORMATS = ["text", "json", "cidr"] as const;
export type EgressIpFormat = (typeof EGRESS_IP_FORMATS)[number];

/** An egress IP as the inventory lists it; zone, device and role are "unknown" for a network applied before egress_ip_details. */
export interface EgressIp {
  readonly address: string;
  readonly zone: string;
  readonly device: string;
  readonly role: EgressIpDetail["role"] | "unknown";
}

/** The inventory from the network's outputs: egress_ip_details, or egress_ips alone from a network applied before it existed. */
export function inventoryOf(outputs: Record<string, unknown>): { ips: EgressIp[]; note?: string } {
  const details = outputs[NETWORK_OUTPUTS.egressIpDetails] as EgressIpDetail[] | undefined;
  if (Array.isArray(details)) return { ips: details.map(({ address, zone, device, role }) => ({ address, zone, device, role })) };
  const addresses = outputs[NETWORK_OUTPUTS.egressIps];
  if (!Array.isArray(addresses)) fail(`the network has no ${NETWORK_OUTPUTS.egressIps} output: deploy it first (make deploy)`);
  return {
    ips: (addresses as string[]).map((address) => ({ address, zone: "unknown", device: "unknown", role: "unknown" })),
    note: `the network was applied before it had the ${NETWORK_OUTPUTS.egressIpDetails} output; its next deploy adds each address's zone, device and role`,
  };
}

export function renderInventory(network: string, ips: readonly EgressIp[], format: EgressIpFormat): string {
  if (format === "json") return `${JSON.stringify({ network, egress_ips: ips }, null, 2)}\n`;
  if (format === "cidr") return ips.map((ip) => `${ip.address}/32\n`).join("");
  const columns: (keyof EgressIp)[] = ["address", "zone", "device", "role"];
  const widths = columns.map((c) => Math.max(c.length, ...ips.map((ip) => ip[c].length)));
  const row = (cells: string[]) => `  ${cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()}\n`;
  return `Egress IPs of ${network} (${ips.length}):\n${row(columns)}${ips.map((ip) => row(columns.map((c) => ip[c]))).join("")}`;
}

/** Egress IPs the allow-list lacks (traffic from them is refused) and allow-listed addresses no egress IP has. */
export function compareWithAllowList(ips: readonly EgressIp[], admitted: readonly string[]): { missing: EgressIp[]; stale: string[] } {
  const ours = new Set(ips.map((ip) => ip.address));
  const listed = new Set(admitted);
  return { missing: ips.filter((ip) => !listed.has(ip.address)), stale: [...listed].filter((a) => !ours.has(a)) };
}

/** The check's report and exit code: 1 when any egress IP is missing. */
export function checkReport(file: string, ips: readonly EgressIp[], admitted: readonly string[]): { text: string; code: number } {
  const { missing, stale } = compareWithAllowList(ips, admitted);
  const lines = [
    ...missing.map((ip) => `missing: ${ip.address} (${ip.zone}, ${ip.device}, ${ip.role}) is an egress IP ${file} does not hold: traffic from it is refused`),
    ...stale.map((a) => `stale: ${a} is in ${file} but is no egress IP of the network: remove it once nothing else leaves from it`),
  ];
  const held = ips.length - missing.length;
  const summary =
    missing.length > 0
      ? `${file} lacks ${missing.length} of ${ips.length} egress IP(s): add them to the allow-list`
      : `${file} holds every egress IP (${held})${stale.length > 0 ? `, and ${stale.length} stale address(es)` : ""}`;
  return { text: `${[...lines, summary].join("\n")}\n`, code: missing.length > 0 ? 1 : 0 };
}

async function egressIps(values: JobValues): Promise<number> {
  const format = (values.format as string | undefined) ?? "text";
  if (!(EGRESS_IP_FORMATS as readonly string[]).includes(format)) fail(`--format ${format}: give one of ${EGRESS_IP_FORMATS.join(", ")}`, 2);
  const checkFile = values.check as string | undefined;
  if (checkFile && values.format !== undefined) fail("--check prints the comparison only: give --check or --format, not both", 2);
  // Read before anything runs: a bad allow-list stops the job before Terraform does.
  let admitted: string[] | undefined;
  try {
    admitted = checkFile ? readAllowList(checkFile) : undefined;
  } catch (err) {
    fail((err as Error).message, 2);
  }
  if (format !== "text" || checkFile) progressToStderr();
  const { config } = configFromEnv();
  const network = stackNames(config).network;
  try {
    await checkStateBucket(config);
  } catch (err) {
    fail(`state bucket: ${(err as Error).message}`);
  }
  synth(config);
  await initStack(config, network, `egress-ips-${network}`);
  const { ips, note } = inventoryOf(await outputsOf(network, "egress-ips"));
  if (ips.length === 0) fail(`${network} has no egress IPs in its state: deploy it first (make deploy)`);
  if (note) process.stderr.write(`note: ${note}\n`);
  if (checkFile && admitted) {
    const report = checkReport(checkFile, ips, admitted);
    process.stdout.write(report.text);
    return report.code;
  }
  process.stdout.write(renderInventory(network, ips, format as EgressIpFormat));
  return 0;
}

export const egressIpsJob: Job = {
  summary: "every egress IP of the deployed network (zone, NAT device, role); --format json|cidr; --check FILE against an allow-list",
  usage: 'make egress-ips [ARGS="--format json|cidr"] | make egress-ips ARGS="--check FILE"  (tsx jobs/main.ts egress-ips …)',
  options: { format: { type: "string" }, check: { type: "string" } },
  run: egressIps,
};
