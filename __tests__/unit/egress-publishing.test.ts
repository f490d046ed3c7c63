/** publishEgressIps: the prefix list, its RAM share and the SSM parameter, from the network's egress IPs. */
import { FixedEgressNetwork, FixedEgressNetworkProps, ValidationError } from "../../constructs";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, rawConfig, writeTempConfig } from "../helpers/config";
import { all, byPath, one, ref, synthStack } from "../helpers/synth";
import { THREE_AZS, networkProps } from "../helpers/network-props";

const synth = (over: Partial<FixedEgressNetworkProps>) => synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps(over)));
const problemsOf = (over: Partial<FixedEgressNetworkProps>): string[] => {
  try {
    synth(over);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems.map((p) => `${p.field}: ${p.message}`);
  }
  throw new Error("no ValidationError");
};
const writeConfig = (edit: (c: any) => void) => writeTempConfig(rawConfig(LOCAL_CONFIG, edit)); // eslint-disable-line @typescript-eslint/no-explicit-any
const ORG = "arn:aws:organizations::123456789012:organization/o-exampleorgid";

describe("publishEgressIps", () => {
  it("publishes nothing when left out", () => {
    const s = synth({});
    for (const type of ["aws_ec2_managed_prefix_list", "aws_ram_resource_share", "aws_ssm_parameter"]) expect(all(s, type)).toEqual([]);
  });

  it("a prefix list with each egress IP as a /32 described by zone and role, max_entries the number of egress IPs (perAz on 3 zones, a secondary each)", () => {
    const s = synth({ ...THREE_AZS, natPlacement: "perAz", natGatewaySecondaryEips: 1, publishEgressIps: { prefixList: true } });
    const [, list] = one(s, "aws_ec2_managed_prefix_list");
    expect(all(s, "aws_eip")).toHaveLength(6);
    expect(list.name).toBe("egress-ips-demo");
    expect(list.address_family).toBe("IPv4");
    expect(list.max_entries).toBe(6);
    const entry = (eipPath: string, description: string) => ({ cidr: `${ref("aws_eip", byPath(s, "aws_eip", eipPath)[0], "public_ip")}/32`, description });
    expect(list.entry).toHaveLength(6);
    for (const e of list.entry) expect(e.cidr).toMatch(/^\$\{aws_eip\.[^.]+\.public_ip\}\/32$/);
    expect(list.entry.map((e: { description: string }) => e.description)).toEqual(THREE_AZS.availabilityZones!.flatMap((z) => [`${z} primary`, `${z} secondary`]));
    expect(list.entry[0]).toEqual(entry("nat/eip-ap-northeast-1a", "ap-northeast-1a primary"));
    expect(list.entry[5]).toEqual(entry("nat/eip-ap-northeast-1d-1", "ap-northeast-1d secondary"));
    expect(list.tags.Name).toBe("egress-ips-demo");
    expect(all(s, "aws_ram_resource_share")).toEqual([]);
  });

  it("shares the list through RAM with each principal (external principals allowed only for account ids), and an SSM StringList of the egress IPs in plain view", () => {
    const s = synth({ publishEgressIps: { prefixList: true, shareWith: ["111122223333", ORG], ssmParameter: "/partners/egress-ips" } });
    const [listId] = one(s, "aws_ec2_managed_prefix_list");
    const [shareId, share] = one(s, "aws_ram_resource_share");
    expect(share).toMatchObject({ name: "egress-ips-demo", allow_external_principals: true });
    expect(one(s, "aws_ram_resource_association")[1]).toEqual({ resource_arn: ref("aws_ec2_managed_prefix_list", listId, "arn"), resource_share_arn: ref("aws_ram_resource_share", shareId, "arn") });
    expect(all(s, "aws_ram_principal_association").map(([, p]) => p)).toEqual([
      { principal: "111122223333", resource_share_arn: ref("aws_ram_resource_share", shareId, "arn") },
      { principal: ORG, resource_share_arn: ref("aws_ram_resource_share", shareId, "arn") },
    ]);
    const [, param] = one(s, "aws_ssm_parameter");
    const [eip] = one(s, "aws_eip");
    expect(param).toMatchObject({ name: "/partners/egress-ips", type: "StringList", insecure_value: `\${join(",", [${ref("aws_eip", eip, "public_ip").slice(2, -1)}])}` });
    expect(param.value).toBeUndefined();
    const orgOnly = synth({ publishEgressIps: { prefixList: true, shareWith: [ORG] } });
    expect(one(orgOnly, "aws_ram_resource_share")[1].allow_external_principals).toBe(false);
  });

  it("an SSM parameter alone, without a prefix list", () => {
    const s = synth({ publishEgressIps: { ssmParameter: "egress-ips" } });
    expect(one(s, "aws_ssm_parameter")[1].name).toBe("egress-ips");
    expect(all(s, "aws_ec2_managed_prefix_list")).toEqual([]);
  });

  it.each([
    [{ shareWith: ["111122223333"] }, "publishEgressIps.shareWith: is set without prefixList; RAM shares the prefix list: set prefixList to true"],
    [{ prefixList: true, shareWith: ["1234"] }, 'publishEgressIps.shareWith[0]: "1234" is not a principal RAM shares with; give a 12-digit account id'],
    [{ prefixList: true, shareWith: ["111122223333", "111122223333"] }, 'publishEgressIps.shareWith[1]: "111122223333" is listed twice'],
    [{ ssmParameter: "/aws/egress" }, 'publishEgressIps.ssmParameter: "/aws/egress" begins with "aws", which SSM reserves'],
    [{ ssmParameter: "SSM-egress" }, 'publishEgressIps.ssmParameter: "SSM-egress" begins with "ssm", which SSM reserves'],
    [{ ssmParameter: "partners/egress" }, 'publishEgressIps.ssmParameter: "partners/egress" is not an SSM parameter name'],
    [{ ssmParameter: "/a b" }, 'publishEgressIps.ssmParameter: "/a b" is not an SSM parameter name'],
    [{}, "publishEgressIps: publishes nothing; set prefixList to true, ssmParameter to a name, or both"],
    [{ prefixList: false }, "publishEgressIps: publishes nothing"],
  ])("refuses %j, naming the field and the fix", (publishEgressIps, message) => {
    const problems = problemsOf({ publishEgressIps });
    expect(problems).toHaveLength(1);
    expect(problems[0].startsWith(message)).toBe(true);
  });

  it("the config's network.publishEgressIps: the same props, its problems under $.network", () => {
    const ok = loadConfig(writeConfig((c) => (c.network.publishEgressIps = { prefixList: true, ssmParameter: "/partners/egress-ips" })));
    expect(ok.network.publishEgressIps).toEqual({ prefixList: true, ssmParameter: "/partners/egress-ips" });
    const file = writeConfig((c) => (c.network.publishEgressIps = { prefixList: true, shareWith: ["o-123"], typo: 1 }));
    expect(() => loadConfig(file)).toThrow(/\$\.network\.publishEgressIps\.typo: is not a known key/);
    const semantic = writeConfig((c) => (c.network.publishEgressIps = { shareWith: ["111122223333"] }));
    expect(() => loadConfig(semantic)).toThrow(/\$\.network\.publishEgressIps\.shareWith: is set without prefixList/);
  });
});
