/**
 * The egress canary: the probe run on a schedule, its outcome written as CloudWatch metrics in the embedded
 * metric format (one JSON log line CloudWatch Logs turns into metrics, no API call) and as one line a person
 * reads: which address the database saw, and whether it is an expected egress IP.
 */
import type { ProbeSettings } from "./settings";

/** The metrics' namespace and names; the alarms (constructs/egress-canary.ts) watch the same. */
export const CANARY_METRICS = { namespace: "FixedEgress", dimension: "Network", expected: "EgressIpExpected", reachable: "DatabaseReachable" } as const;

export interface CanaryResult {
  readonly network: string;
  readonly databaseReachable: boolean;
  /** the address the traffic left from, when the database (or the observer) told it */
  readonly sourceIp: string | null;
  /** who told it: the database, or the observer when the database could not */
  readonly seenBy: "database" | "observer" | null;
  /** sourceIp is an expected egress IP; undefined when no address is known */
  readonly egressIpExpected?: boolean;
  /** why the database was not reached */
  readonly error?: string;
}

/** What the canary needs of the probe: the address the database sees, or an error. */
export type SeeSource = () => Promise<string | null>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The caller's public address as an HTTPS endpoint reports it (https://checkip.amazonaws.com answers "<ip>\n"). */
export async function observedAddress(url: string, timeoutMs: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new Error(`${url} did not answer within ${timeoutMs} ms (${cause?.code ?? (err as Error).message})`);
  }
  const text = (await res.text()).trim();
  if (!res.ok || !IPV4.test(text)) throw new Error(`${url} answered ${res.status} ${JSON.stringify(text.slice(0, 60))}, not an IPv4 address`);
  return text;
}

/** One canary run: the database's view of the source address, the observer's when the database gives none. */
export async function runCanary(settings: ProbeSettings, see: SeeSource, observe = observedAddress): Promise<CanaryResult> {
  const network = settings.networkName ?? "unnamed";
  let sourceIp: string | null = null;
  let seenBy: CanaryResult["seenBy"] = null;
  let reachable = false;
  const errors: string[] = [];
  try {
    sourceIp = await see();
    reachable = true;
    if (sourceIp !== null) seenBy = "database";
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (sourceIp === null && settings.observerUrl) {
    try {
      sourceIp = await observe(settings.observerUrl, settings.connectTimeoutMs);
      seenBy = "observer";
    } catch (err) {
      errors.push(`observer: ${(err as Error).message}`);
    }
  }
  return {
    network,
    databaseReachable: reachable,
    sourceIp,
    seenBy,
    ...(sourceIp !== null ? { egressIpExpected: settings.egressIps.includes(sourceIp) } : {}),
    ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
  };
}

/**
 * The run as an embedded-metric-format document: DatabaseReachable always, EgressIpExpected only when an address
 * is known (a run that learns none leaves it missing, which the alarm treats as breaching).
 */
export function emfDocument(r: CanaryResult, timestamp = Date.now()): Record<string, unknown> {
  const M = CANARY_METRICS;
  const metrics = [M.reachable, ...(r.egressIpExpected !== undefined ? [M.expected] : [])].map((Name) => ({ Name, Unit: "Count" }));
  return {
    _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: M.namespace, Dimensions: [[M.dimension]], Metrics: metrics }] },
    [M.dimension]: r.network,
    [M.reachable]: r.databaseReachable ? 1 : 0,
    ...(r.egressIpExpected !== undefined ? { [M.expected]: r.egressIpExpected ? 1 : 0 } : {}),
    sourceIp: r.sourceIp,
    seenBy: r.seenBy,
    ...(r.error ? { error: r.error } : {}),
  };
}

/** The line a person reads in the function's log. */
export function canaryLine(r: CanaryResult, expected: readonly string[]): string {
  const where = r.seenBy === "observer" ? "the observer saw" : "the database saw";
  const list = expected.length > 0 ? expected.join(", ") : "none configured";
  const seen = r.sourceIp === null ? "no source address" : `${where} ${r.sourceIp}: ${r.egressIpExpected ? "an expected egress IP" : `NOT an expected egress IP (expected: ${list})`}`;
  const database = r.databaseReachable ? "reachable" : `unreachable (${r.error ?? "no answer"})`;
  return `egress canary ${r.network}: database ${database}; ${seen}${r.databaseReachable && r.error ? ` (${r.error})` : ""}`;
}
