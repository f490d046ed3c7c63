import { NatProvider } from "../../constructs";
import { costLine, devicesCost, costReport, monthlyNatCost, parseGb, pricesFor, providerTotal } from "../../jobs/cost";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, derivedConfig } from "../helpers/config";

describe("cost", () => {
  it("prices Tokyo as listed: 0.062 USD/h and 0.062 USD/GB per NAT Gateway, 0.005 USD/h per public IPv4", () => {
    expect(pricesFor("ap-northeast-1")).toMatchObject({ natGatewayHour: 0.062, natGatewayGb: 0.062, publicIpv4Hour: 0.005 });
  });

  it("gateway: NAT hours × count, public IPv4 hours per EIP and per-GB processing over 730 hours", () => {
    const lines = devicesCost(pricesFor("ap-northeast-1"), NatProvider.gateway().billing, 2, 100);
    expect(lines.map((l) => l.usd)).toEqual([expect.closeTo(90.52, 6), expect.closeTo(7.3, 6), expect.closeTo(6.2, 6)]);
    expect(providerTotal(NatProvider.gateway(), "ap-northeast-1", 1, 100)).toBeCloseTo(55.11, 6);
  });

  it("instance: instance hours, its gp3 volume and the public IPv4, and no per-GB processing", () => {
    const lines = devicesCost(pricesFor("ap-northeast-1"), NatProvider.instance({ instanceType: "t4g.nano" }).billing, 1, 100);
    expect(lines.map((l) => l.usd)).toEqual([expect.closeTo(730 * 0.0054, 6), expect.closeTo(8 * 0.096, 6), expect.closeTo(3.65, 6), 0]);
    expect(() => devicesCost(pricesFor("ap-northeast-1"), NatProvider.instance({ instanceType: "m5.large" }).billing, 1, 0)).toThrow(/no price for instance type "m5\.large"/);
    expect(() => devicesCost(pricesFor("ap-northeast-1"), { item: "regional-nat" }, 1, 0)).toThrow(/^no pricing for NAT devices billed as "regional-nat"; known: nat-gateway, ec2-instance$/);
  });

  it("knows the six regions and four instance types in each, and refuses an unknown region, listing the known", () => {
    for (const r of ["ap-northeast-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]) {
      expect(Object.keys(pricesFor(r).instanceHour).sort()).toEqual(["t3.micro", "t3.nano", "t4g.micro", "t4g.nano"]);
    }
    expect(() => pricesFor("sa-east-1")).toThrow(/^no prices for region "sa-east-1"; known regions: ap-northeast-1, us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1/);
  });

  it("shows gateway and instance side by side: at 100 GB in Tokyo, single, the instance costs at most 16% of the gateway", () => {
    const report = costReport(loadConfig(LOCAL_CONFIG), 100);
    expect(report).toMatch(/gateway:[\s\S]*total per month\s+55\.11 USD/);
    // A NAT instance always has its two self-repairing alarms (0.10 USD each a month).
    expect(report).toMatch(/instance \(t4g\.nano\):[\s\S]*CloudWatch alarms, 2 each \(0\.1 USD\/month per alarm\)\s+0\.20 USD[\s\S]*total per month\s+8\.56 USD/);
    const ratio = Number(/instance \/ gateway: ([\d.]+)%/.exec(report)![1]);
    expect(ratio).toBeLessThanOrEqual(16);
    expect(ratio).toBe(15.5);
    expect(report).toContain("internet data transfer out, 100 GB (0.114 USD/GB): 11.40 USD with either NAT, outside both totals");
    expect(report).toContain('This config (natProvider "gateway"): 55.11 USD per month');
    expect(costReport(derivedConfig(LOCAL_CONFIG, (c) => (c.network.natProvider = "instance")), 100)).toContain('This config (natProvider "instance"): 8.56 USD per month');
  });

  it("counts the config's NAT devices for both providers", () => {
    const report = costReport(derivedConfig(LOCAL_CONFIG, (c) => (c.network.natPlacement = "perAz")), 100);
    expect(report).toContain('2 NAT device(s) (natPlacement "perAz")');
    expect(report).toMatch(/gateway:[\s\S]*total per month\s+104\.02 USD/);
  });

  it("prices a plan's NAT devices and their Elastic IPs before and after, gateways and instances alike", () => {
    expect(monthlyNatCost("ap-northeast-1", { gateways: 1, instanceTypes: [], eips: 1 }, { gateways: 0, instanceTypes: ["t4g.nano"], eips: 1 })).toEqual({
      before: expect.closeTo(55.11, 6),
      after: expect.closeTo(8.36, 2),
    });
    // Two secondary addresses: two more public IPv4 addresses, 3.65 USD each.
    expect(monthlyNatCost("ap-northeast-1", { gateways: 1, instanceTypes: [], eips: 1 }, { gateways: 1, instanceTypes: [], eips: 3 })!.after).toBeCloseTo(55.11 + 7.3, 6);
    expect(monthlyNatCost("sa-east-1", { gateways: 1, instanceTypes: [], eips: 1 }, { gateways: 1, instanceTypes: [], eips: 1 })).toBeUndefined();
  });

  it("counts secondary addresses and alarms in make cost", () => {
    const report = costReport(derivedConfig(LOCAL_CONFIG, (c) => ((c.network.natGatewaySecondaryEips = 2), (c.network.alarms = { topicArn: "arn:aws:sns:ap-northeast-1:123456789012:nat" }))), 100);
    expect(report).toMatch(/public IPv4 \(0\.005 USD\/h per EIP, 3 each\)\s+10\.95 USD/);
    expect(report).toMatch(/gateway:[\s\S]*CloudWatch alarms, 2 each[^\n]*0\.20 USD[\s\S]*total per month\s+62\.61 USD/);
    // NAT instances send from one address: no secondary ones; with a topic, a t-type's CPU credits alarm too.
    expect(report).toMatch(/instance \(t4g\.nano\):[\s\S]*public IPv4 \(0\.005 USD\/h per EIP\)\s+3\.65 USD[\s\S]*CloudWatch alarms, 3 each/);
  });

  it("says that publishing the egress IPs costs nothing, naming what is published, and says nothing when nothing is", () => {
    const published = costReport(derivedConfig(LOCAL_CONFIG, (c) => (c.network.publishEgressIps = { prefixList: true, shareWith: ["111122223333"], ssmParameter: "/partners/egress-ips" })), 100);
    expect(published).toContain("Publishing the egress IPs (a customer-managed prefix list, its AWS RAM share, a standard-tier SSM parameter): 0.00 USD; AWS charges nothing for these.");
    const plain = costReport(loadConfig(LOCAL_CONFIG), 100);
    expect(plain).not.toContain("Publishing");
    // The totals are the same either way.
    expect(published.replace(/\nPublishing.*$/, "")).toBe(plain);
  });

  it("prices the canary's two alarms and names what it runs", () => {
    const report = costReport(derivedConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = { schedule: "rate(10 minutes)" })), 100);
    expect(report).toContain("Egress canary (rate(10 minutes), 4380 runs a month): 2 CloudWatch alarms 0.20 USD per month; its 2 custom metrics, the function's runs and the schedule's invocations are billed at CloudWatch, Lambda and EventBridge Scheduler prices");
  });

  it("gives one line for the demo and parses --gb", () => {
    expect(costLine(loadConfig(LOCAL_CONFIG))).toBe("Cost on AWS (ap-northeast-1, list price): about 55.11 USD per month for 1 NAT Gateway(s) with 100 GB; see make cost.");
    expect(costLine(derivedConfig(LOCAL_CONFIG, (c) => (c.network.natProvider = "instance")))).toBe(
      "Cost on AWS (ap-northeast-1, list price): about 8.56 USD per month for 1 NAT instance(s) (t4g.nano) with 100 GB; see make cost.",
    );
    expect(parseGb("250")).toBe(250);
    expect(parseGb(undefined)).toBe(100);
    expect(() => parseGb("lots")).toThrow(/--gb "lots" is not a number/);
    expect(() => parseGb("")).toThrow(/--gb "" is not a number/);
  });
});
