/**
 * Egress IPs published where partners read them: a customer-managed prefix list (one /32 entry per egress IP,
 * shared through AWS RAM when asked) and an SSM parameter (StringList). Both are built from the network's egress
 * IPs, so a zone or a secondary address added to the network updates them in the same apply.
 */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Ec2ManagedPrefixList } from "@cdktf/provider-aws/lib/ec2-managed-prefix-list";
import { RamPrincipalAssociation } from "@cdktf/provider-aws/lib/ram-principal-association";
import { RamResourceAssociation } from "@cdktf/provider-aws/lib/ram-resource-association";
import { RamResourceShare } from "@cdktf/provider-aws/lib/ram-resource-share";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { EgressIpDetail } from "./nat-provider";
import { Problems } from "./validate";

export interface PublishEgressIpsProps {
  /**
   * A customer-managed prefix list (`egress-ips-<name>`) holding each egress IP as a `/32` entry described by its
   * zone and role; `max_entries` is the number of egress IPs (a security group rule that references the list
   * counts that many rules). @default false
   */
  readonly prefixList?: boolean;
  /**
   * Share the prefix list through AWS RAM with these principals: 12-digit account ids, organization ARNs or
   * organizational unit ARNs. Needs `prefixList`. Accounts outside your organization get an invitation to accept.
   * @default - not shared
   */
  readonly shareWith?: string[];
  /** An SSM parameter (StringList, standard tier) of this name holding the egress IPs, comma-separated. @default - none */
  readonly ssmParameter?: string;
}

/** What the network built to publish its egress IPs (escape hatches). */
export interface EgressPublishing {
  readonly prefixList?: Ec2ManagedPrefixList;
  readonly resourceShare?: RamResourceShare;
  readonly ssmParameter?: SsmParameter;
}

const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/;
const ORGANIZATIONAL_UNIT = /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/;
/** SSM's parameter names: a plain name, or a path of up to 15 levels from "/"; neither may begin with "aws" or "ssm". */
const PARAMETER_NAME = /^([a-zA-Z0-9_.-]+|(\/[a-zA-Z0-9_.-]+){1,15})$/;

/** Every problem of `publishEgressIps`, each under its field. */
export function checkPublishing(p: Problems, props: PublishEgressIpsProps | undefined): void {
  if (!props) return;
  const field = (f: string) => `publishEgressIps.${f}`;
  const shareWith = props.shareWith ?? [];
  if (shareWith.length > 0 && !props.prefixList) p.add(field("shareWith"), "is set without prefixList; RAM shares the prefix list: set prefixList to true");
  shareWith.forEach((principal, i) => {
    if (!ACCOUNT.test(principal) && !ORGANIZATION.test(principal) && !ORGANIZATIONAL_UNIT.test(principal)) {
      p.add(field(`shareWith[${i}]`), `"${principal}" is not a principal RAM shares with; give a 12-digit account id, an organization ARN ("arn:aws:organizations::123456789012:organization/o-exampleorgid") or an organizational unit ARN`);
    } else if (shareWith.indexOf(principal) !== i) {
      p.add(field(`shareWith[${i}]`), `"${principal}" is listed twice; give each principal once`);
    }
  });
  const name = props.ssmParameter;
  if (name !== undefined) {
    const first = name.replace(/^\//, "").split("/")[0].toLowerCase();
    if (!PARAMETER_NAME.test(name) || name.length > 1011) {
      p.add(field("ssmParameter"), `"${name}" is not an SSM parameter name; use letters, digits and _.- in up to 15 levels, such as "/partners/egress-ips"`);
    } else if (first.startsWith("aws") || first.startsWith("ssm")) {
      p.add(field("ssmParameter"), `"${name}" begins with "${first.slice(0, 3)}", which SSM reserves; choose another first level, such as "/partners/egress-ips"`);
    }
  }
  if (!props.prefixList && props.ssmParameter === undefined && shareWith.length === 0) {
    p.add("publishEgressIps", "publishes nothing; set prefixList to true, ssmParameter to a name, or both (or leave publishEgressIps out)");
  }
}

/** A principal as a construct id: RAM's principals hold ":" and "/", which ids do not. */
const idOf = (principal: string) => `principal-${principal.replace(/[^A-Za-z0-9-]/g, "-")}`;

/** The prefix list, its RAM share and the SSM parameter that `props` ask for, under `scope`. */
export function publishEgressIps(
  scope: Construct,
  o: { name: string; details: EgressIpDetail[]; props: PublishEgressIpsProps; tags: (name: string) => Record<string, string> },
): EgressPublishing {
  const { name, details, props } = o;
  const out: { -readonly [K in keyof EgressPublishing]: EgressPublishing[K] } = {};
  if (props.prefixList) {
    out.prefixList = new Ec2ManagedPrefixList(scope, "prefix-list", {
      name: `egress-ips-${name}`,
      addressFamily: "IPv4",
      // Sized for the configured addresses: AWS counts a referenced list as max_entries rules of the security group.
      maxEntries: details.length,
      entry: details.map((d) => ({ cidr: `${d.address}/32`, description: `${d.zone} ${d.role}` })),
      tags: o.tags(`egress-ips-${name}`),
    });
    const principals = props.shareWith ?? [];
    if (principals.length > 0) {
      const share = new RamResourceShare(scope, "share", {
        name: `egress-ips-${name}`,
        // Account ids may be outside the organization (they accept an invitation); organizations and OUs never are.
        allowExternalPrincipals: principals.some((x) => ACCOUNT.test(x)),
        tags: o.tags(`egress-ips-${name}`),
      });
      new RamResourceAssociation(scope, "share-prefix-list", { resourceArn: out.prefixList.arn, resourceShareArn: share.arn });
      for (const principal of principals) new RamPrincipalAssociation(scope, idOf(principal), { principal, resourceShareArn: share.arn });
      out.resourceShare = share;
    }
  }
  if (props.ssmParameter !== undefined) {
    out.ssmParameter = new SsmParameter(scope, "ssm-parameter", {
      name: props.ssmParameter,
      type: "StringList",
      // Public addresses, not a secret: shown in plans, so a reviewer sees the list change.
      insecureValue: Fn.join(",", details.map((d) => d.address)),
      description: `Egress IPs of ${name}: every NAT device's public address, comma-separated`,
      tags: o.tags(`egress-ips-${name}`),
    });
  }
  return out;
}
