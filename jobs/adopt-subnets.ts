/**
 * The subnet settings make adopt checks: the first plan after an adoption may change tags only, so a subnet
 * whose settings the network would rewrite stops the adoption with one sentence naming it and the fix.
 */
import type { Subnet } from "@aws-sdk/client-ec2";
import { label } from "./adopt-facts";

/** A subnet setting the network writes (or leaves at the provider's default), and how to read it from the EC2 API. */
const SUBNET_SETTINGS: readonly { what: string; differs: (s: Subnet, kind: "public" | "private", publicWant: boolean) => boolean; fix: (id: string) => string }[] = [
  {
    what: "MapPublicIpOnLaunch",
    differs: (s, kind, publicWant) => (s.MapPublicIpOnLaunch === true) !== (kind === "public" && publicWant),
    fix: (id) => `give every public subnet the same setting and no private subnet a public IP on launch (aws ec2 modify-subnet-attribute --subnet-id ${id} --[no-]map-public-ip-on-launch)`,
  },
  { what: "EnableDns64", differs: (s) => s.EnableDns64 === true, fix: (id) => `turn DNS64 off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-enable-dns64)` },
  { what: "AssignIpv6AddressOnCreation", differs: (s) => s.AssignIpv6AddressOnCreation === true, fix: (id) => `turn it off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-assign-ipv6-address-on-creation)` },
  {
    what: "PrivateDnsNameOptionsOnLaunch (resource-name DNS records)",
    differs: (s) => s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsARecord === true || s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord === true,
    fix: (id) => `turn them off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-enable-resource-name-dns-a-record-on-launch --no-enable-resource-name-dns-aaaa-record-on-launch)`,
  },
];

/**
 * One sentence per adopted subnet whose settings the network would rewrite on its first apply (the network keeps
 * one public-IP-on-launch setting for all public subnets, none for private ones, and IPv6 and DNS options at the
 * provider's defaults): stop rather than change what runs there without saying so.
 */
export function subnetSettingProblems(publics: Subnet[], privates: Subnet[]): string[] {
  // The public subnets' setting is kept when they agree; mixed, no single value keeps them all.
  const publicWant = publics.length > 0 && publics.every((s) => s.MapPublicIpOnLaunch === true);
  const mixed = publics.some((s) => s.MapPublicIpOnLaunch === true) && !publicWant;
  return [...publics.map((s) => ["public", s] as const), ...privates.map((s) => ["private", s] as const)].flatMap(([kind, s]) =>
    SUBNET_SETTINGS.filter((x) => (x.what === "MapPublicIpOnLaunch" ? (kind === "public" ? mixed : x.differs(s, kind, publicWant)) : x.differs(s, kind, publicWant))).map(
      (x) => `${kind} subnet ${label(s.SubnetId!, s.Tags)} has ${x.what} ${x.what === "MapPublicIpOnLaunch" ? String(s.MapPublicIpOnLaunch === true) : "on"}, which the network would change on its first apply (it keeps ${x.what === "MapPublicIpOnLaunch" ? "one setting for all public subnets and none for private ones" : "the provider's default, off"}); ${x.fix(s.SubnetId!)}, then run make adopt again`,
    ),
  );
}
