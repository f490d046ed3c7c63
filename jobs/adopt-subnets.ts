/**
 * The subnet settings make adopt checks: the first plan after an adoption may change tags only, so a subnet
 * whose settings the network would rewrite stops the adoption with one sentence naming it and the fix.
 */
import type { Subnet } from "@aws-sdk/client-ec2";
import { label } from "./adopt-facts";

/** What the network keeps of the public subnets' public-IP setting: theirs when they agree. */
interface Keeps {
  readonly publicWant: boolean;
  /** the public subnets disagree: no single value keeps them all */
  readonly mixed: boolean;
}

/** A subnet setting the network writes (or leaves at the provider's default), when it differs, and the fix: one entry each. */
const SUBNET_SETTINGS: readonly { what: string; keeps: string; differs: (s: Subnet, kind: "public" | "private", k: Keeps) => boolean; value: (s: Subnet) => string; fix: (id: string) => string }[] = [
  {
    what: "MapPublicIpOnLaunch",
    keeps: "one setting for all public subnets and none for private ones",
    differs: (s, kind, k) => (kind === "public" ? k.mixed : s.MapPublicIpOnLaunch === true),
    value: (s) => String(s.MapPublicIpOnLaunch === true),
    fix: (id) => `give every public subnet the same setting and no private subnet a public IP on launch (aws ec2 modify-subnet-attribute --subnet-id ${id} --[no-]map-public-ip-on-launch)`,
  },
  { what: "EnableDns64", keeps: "the provider's default, off", differs: (s) => s.EnableDns64 === true, value: () => "on", fix: (id) => `turn DNS64 off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-enable-dns64)` },
  {
    what: "AssignIpv6AddressOnCreation",
    keeps: "the provider's default, off",
    differs: (s) => s.AssignIpv6AddressOnCreation === true,
    value: () => "on",
    fix: (id) => `turn it off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-assign-ipv6-address-on-creation)`,
  },
  {
    what: "PrivateDnsNameOptionsOnLaunch (resource-name DNS records)",
    keeps: "the provider's default, off",
    differs: (s) => s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsARecord === true || s.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord === true,
    value: () => "on",
    fix: (id) => `turn them off (aws ec2 modify-subnet-attribute --subnet-id ${id} --no-enable-resource-name-dns-a-record-on-launch --no-enable-resource-name-dns-aaaa-record-on-launch)`,
  },
];

/**
 * One sentence per adopted subnet whose settings the network would rewrite on its first apply (the network keeps
 * one public-IP-on-launch setting for all public subnets, none for private ones, and IPv6 and DNS options at the
 * provider's defaults): stop rather than change what runs there without saying so.
 */
export function subnetSettingProblems(publics: Subnet[], privates: Subnet[]): string[] {
  const publicWant = publics.length > 0 && publics.every((s) => s.MapPublicIpOnLaunch === true);
  const keeps: Keeps = { publicWant, mixed: publics.some((s) => s.MapPublicIpOnLaunch === true) && !publicWant };
  return [...publics.map((s) => ["public", s] as const), ...privates.map((s) => ["private", s] as const)].flatMap(([kind, s]) =>
    SUBNET_SETTINGS.filter((x) => x.differs(s, kind, keeps)).map(
      (x) => `${kind} subnet ${label(s.SubnetId!, s.Tags)} has ${x.what} ${x.value(s)}, which the network would change on its first apply (it keeps ${x.keeps}); ${x.fix(s.SubnetId!)}, then run make adopt again`,
    ),
  );
}
