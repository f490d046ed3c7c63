/** IPv4 ranges and TCP port sets: the arithmetic the egress model splits destinations and filters with. */

/** An inclusive IPv4 range as two 32-bit numbers. */
export type Range = readonly [number, number];
/** Sorted, disjoint, inclusive port intervals. */
export type Ports = readonly Range[];

export const ALL_PORTS: Ports = [[0, 65535]];
export const NO_PORTS: Ports = [];
/** The ports a reply comes back on (Linux, Lambda and NAT's ephemeral range together). */
export const EPHEMERAL: Range = [1024, 65535];

/** `10.0.0.0/8` → [lo, hi]; undefined when it is not an IPv4 CIDR. */
export function parseCidr(cidr: unknown): Range | undefined {
  if (typeof cidr !== "string") return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const ip = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - bits);
  const lo = Math.floor(ip / size) * size;
  return [lo, lo + size - 1];
}

export const ipText = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

/** The fewest CIDRs that cover a range exactly. */
export function cidrsOf([lo, hi]: Range): string[] {
  const out: string[] = [];
  let at = lo;
  while (at <= hi) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 - 1 <= hi && size < 2 ** 32) size *= 2;
    out.push(`${ipText(at)}/${32 - Math.log2(size)}`);
    at += size;
  }
  return out;
}

export const contains = (outer: Range, inner: Range) => outer[0] <= inner[0] && inner[1] <= outer[1];
export const overlaps = (a: Range, b: Range) => a[0] <= b[1] && b[0] <= a[1];

/** Destinations that are never public: RFC 1918, shared (100.64/10), loopback, link-local, "this network", multicast and reserved. */
const NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"].map((c) => parseCidr(c)!);

/** `within` minus the non-public ranges, sorted. */
export function publicSpace(within: readonly Range[] = [[0, 2 ** 32 - 1]]): Range[] {
  let out = [...within].sort((a, b) => a[0] - b[0]).map((r) => [r[0], r[1]] as Range);
  for (const [nlo, nhi] of NOT_PUBLIC) {
    out = out.flatMap(([lo, hi]): Range[] => {
      if (hi < nlo || lo > nhi) return [[lo, hi]];
      return [...(lo < nlo ? [[lo, nlo - 1] as Range] : []), ...(hi > nhi ? [[nhi + 1, hi] as Range] : [])];
    });
  }
  return out;
}

/** Cuts `space` at every edge of `cuts`, so each cut either covers a piece or misses it. */
export function split(space: readonly Range[], cuts: readonly Range[]): Range[] {
  const edges = new Set<number>();
  for (const [lo, hi] of cuts) {
    edges.add(lo);
    edges.add(hi + 1);
  }
  const sorted = [...edges].sort((a, b) => a - b);
  const out: Range[] = [];
  for (const [lo, hi] of space) {
    let at = lo;
    for (const e of sorted) {
      if (e <= at) continue;
      if (e > hi) break;
      out.push([at, e - 1]);
      at = e;
    }
    out.push([at, hi]);
  }
  return out;
}

/** Port intervals: union, difference, intersection, text. */
export function union(a: Ports, b: Ports): Ports {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function minus(a: Ports, b: Ports): Ports {
  let out: Range[] = [...a];
  for (const [blo, bhi] of b) {
    out = out.flatMap(([lo, hi]): Range[] => {
      if (hi < blo || lo > bhi) return [[lo, hi]];
      return [...(lo < blo ? [[lo, blo - 1] as Range] : []), ...(hi > bhi ? [[bhi + 1, hi] as Range] : [])];
    });
  }
  return out;
}

export const intersect = (a: Ports, b: Ports): Ports => (b === ALL_PORTS ? a : a === ALL_PORTS ? b : minus(a, minus(a, b)));
export const covers = (a: Ports, r: Range) => minus([r], a).length === 0;
export const portsText = (p: Ports) => (p.length === 0 ? "none" : p.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(","));

/** The public part of some CIDRs (or addresses), as CIDRs: empty when they are all private or shared space. */
export function publicPartOf(cidrs: readonly string[]): string[] {
  const ranges = cidrs.map((c) => parseCidr(c.includes("/") ? c : `${c}/32`)).filter((r): r is Range => r !== undefined);
  return ranges.length > 0 ? publicSpace(ranges).flatMap(cidrsOf) : [];
}
