/**
 * A three-host data plane in network namespaces of its own (the egress proof and make verify on the emulator):
 *   private 198.18.1.10/24 ──veth── 198.18.1.1/24 nat 203.0.113.10/24 ──veth── 203.0.113.50/24 db
 * `private` routes everything via `nat`; `nat` forwards and source-NATs 198.18.1.0/24 to 203.0.113.10
 * with nftables (the NAT Gateway and its Elastic IP); `db` can route back to 198.18.0.0/15 only so
 * that, without the NAT rule, the database sees the private address and refuses it.
 * Only 198.18.0.0/15 and 203.0.113.0/24, only inside these namespaces; everything is removed by destroy().
 */
import { execFileSync } from "child_process";
import { userInfo } from "os";

export const ADDR = { private: "198.18.1.10", natInside: "198.18.1.1", egress: "203.0.113.10", db: "203.0.113.50" } as const;

export interface Testbed {
  readonly ns: { private: string; nat: string; db: string };
  /** runs a command inside a namespace of the testbed */
  inNs(which: "private" | "nat" | "db", ...argv: string[]): string;
  /** the nat host's link towards db */
  readonly natPublicIf: string;
  setNat(on: boolean): void;
  setNatLink(up: boolean): void;
  /** the nat host silently drops what it would forward (a black hole: no reply, no ICMP) */
  setBlackhole(on: boolean): void;
  destroy(): void;
}

const sh = (argv: string[], input?: string) => execFileSync(argv[0], argv.slice(1), { encoding: "utf8", input, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });

/** Why the testbed cannot run here, or undefined when it can. */
export function testbedUnavailable(): string | undefined {
  if (userInfo().uid !== 0) return "needs root for network namespaces";
  try {
    sh(["nft", "--version"]);
  } catch {
    return "needs nftables (apt-get install nftables)";
  }
  const probe = `fxe-check-${process.pid}`;
  try {
    sh(["ip", "netns", "add", probe]);
    sh(["ip", "netns", "del", probe]);
  } catch (err) {
    return `cannot create network namespaces: ${(err as Error).message.split("\n")[0]}`;
  }
  return undefined;
}

/** `nat: false` leaves the NAT host a plain router (forwarding, no address translation) for a NAT of another origin. */
export function createTestbed(opts: { nat?: boolean } = {}): Testbed {
  const id = (process.pid % 100000).toString(36);
  const ns = { private: `fxe-priv-${id}`, nat: `fxe-nat-${id}`, db: `fxe-db-${id}` };
  const ifs = { privSide: `fxp${id}a`, natIn: `fxp${id}b`, natOut: `fxd${id}a`, dbSide: `fxd${id}b` };
  const inNs = (n: string, ...argv: string[]) => sh(["ip", "netns", "exec", n, ...argv]);
  const destroy = () => {
    for (const n of Object.values(ns)) {
      try {
        sh(["ip", "netns", "del", n]); // removes the veth ends inside it, and so their peers
      } catch {
        /* already gone */
      }
    }
  };
  try {
    for (const n of Object.values(ns)) sh(["ip", "netns", "add", n]);
    sh(["ip", "link", "add", ifs.privSide, "netns", ns.private, "type", "veth", "peer", "name", ifs.natIn, "netns", ns.nat]);
    sh(["ip", "link", "add", ifs.natOut, "netns", ns.nat, "type", "veth", "peer", "name", ifs.dbSide, "netns", ns.db]);
    for (const n of Object.values(ns)) inNs(n, "ip", "link", "set", "lo", "up");

    inNs(ns.private, "ip", "addr", "add", `${ADDR.private}/24`, "dev", ifs.privSide);
    inNs(ns.private, "ip", "link", "set", ifs.privSide, "up");
    inNs(ns.private, "ip", "route", "add", "default", "via", ADDR.natInside);

    inNs(ns.nat, "ip", "addr", "add", `${ADDR.natInside}/24`, "dev", ifs.natIn);
    inNs(ns.nat, "ip", "addr", "add", `${ADDR.egress}/24`, "dev", ifs.natOut);
    inNs(ns.nat, "ip", "link", "set", ifs.natIn, "up");
    inNs(ns.nat, "ip", "link", "set", ifs.natOut, "up");
    inNs(ns.nat, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    // The NAT host's way out, as a public subnet's route to the Internet Gateway.
    inNs(ns.nat, "ip", "route", "add", "default", "via", ADDR.db, "dev", ifs.natOut);

    inNs(ns.db, "ip", "addr", "add", `${ADDR.db}/24`, "dev", ifs.dbSide);
    inNs(ns.db, "ip", "link", "set", ifs.dbSide, "up");
    inNs(ns.db, "ip", "route", "add", "198.18.0.0/15", "via", ADDR.egress);
  } catch (err) {
    destroy();
    throw err;
  }

  const setNat = (on: boolean) => {
    sh(["ip", "netns", "exec", ns.nat, "nft", "-f", "-"], on
      ? `table ip egress\ndelete table ip egress\ntable ip egress {\n chain postrouting {\n  type nat hook postrouting priority srcnat; policy accept;\n  ip saddr 198.18.1.0/24 oifname "${ifs.natOut}" snat to ${ADDR.egress}\n }\n}\n`
      : "table ip egress\ndelete table ip egress\n");
  };
  try {
    setNat(opts.nat ?? true);
  } catch (err) {
    destroy();
    throw err;
  }
  return {
    ns,
    inNs: (which, ...argv) => inNs(ns[which], ...argv),
    natPublicIf: ifs.natOut,
    setNat,
    setNatLink: (up) => {
      inNs(ns.nat, "ip", "link", "set", ifs.natOut, up ? "up" : "down");
      // a link going down takes its routes with it
      if (up) inNs(ns.nat, "ip", "route", "replace", "default", "via", ADDR.db, "dev", ifs.natOut);
    },
    setBlackhole: (on) =>
      sh(["ip", "netns", "exec", ns.nat, "nft", "-f", "-"], on
        ? "table inet blackhole {\n chain forward {\n  type filter hook forward priority filter; policy drop;\n }\n}\n"
        : "table inet blackhole\ndelete table inet blackhole\n"),
    destroy,
  };
}
