/** IPv4 CIDR arithmetic for validation. Values are plain strings such as "10.0.1.0/24". */

export interface Ipv4Range {
  /** first address as an unsigned 32-bit integer */
  readonly start: number;
  /** last address as an unsigned 32-bit integer */
  readonly end: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses an IPv4 CIDR block. Returns a sentence saying what is wrong (and the fix) when the text
 * is not a canonical CIDR, so callers can name the field.
 */
export function parseCidr(text: string): Ipv4Range | string {
  const m = CIDR.exec(text);
  if (!m) return `"${text}" is not an IPv4 CIDR block; write it as a.b.c.d/n, for example "10.0.1.0/24"`;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255)) return `"${text}" has an octet above 255; each of a.b.c.d must be 0-255`;
  if (prefix > 32) return `"${text}" has a prefix length above 32; use /0 to /32`;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const size = 2 ** (32 - prefix);
  const start = addr - (addr % size);
  if (start !== addr) {
    return `"${text}" has host bits set; the block starts at ${formatIpv4(start)}, so write "${formatIpv4(start)}/${prefix}"`;
  }
  return { start, end: start + size - 1, prefix };
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** true when `inner` lies wholly inside `outer` */
export function contains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The lowest block of `prefix` inside `outer` that overlaps none of `taken`, as text; undefined when there is none. */
export function freeBlock(outer: Ipv4Range, prefix: number, taken: Ipv4Range[]): string | undefined {
  const size = 2 ** (32 - prefix);
  for (let start = outer.start; start + size - 1 <= outer.end; start += size) {
    const block = { start, end: start + size - 1, prefix };
    if (!taken.some((t) => overlaps(t, block))) return `${formatIpv4(start)}/${prefix}`;
  }
  return undefined;
}
