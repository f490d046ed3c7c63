import { costLine, costReport, estimate, parseGb, pricesFor } from "../../scripts/cost";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, derivedConfig } from "../helpers/config";

describe("cost", () => {
  it("prices Tokyo as listed: 0.062 USD/h and 0.062 USD/GB per NAT Gateway, 0.005 USD/h per public IPv4", () => {
    expect(pricesFor("ap-northeast-1")).toEqual({ natGatewayHour: 0.062, natGatewayGb: 0.062, publicIpv4Hour: 0.005 });
  });

  it("adds NAT hours × count, public IPv4 hours per EIP and per-GB processing over 730 hours", () => {
    const e = estimate("ap-northeast-1", 2, 100);
    expect(e.natHours).toBeCloseTo(2 * 730 * 0.062, 6);
    expect(e.publicIpv4).toBeCloseTo(2 * 730 * 0.005, 6);
    expect(e.processing).toBeCloseTo(6.2, 6);
    expect(e.total).toBeCloseTo(90.52 + 7.3 + 6.2, 6);
  });

  it("knows the six regions and refuses an unknown one, listing the known", () => {
    for (const r of ["ap-northeast-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]) expect(() => pricesFor(r)).not.toThrow();
    expect(() => pricesFor("sa-east-1")).toThrow(/^no prices for region "sa-east-1"; known regions: ap-northeast-1, us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-1/);
  });

  it("shows single and perAz side by side for the config's AZ count", () => {
    const report = costReport(derivedConfig(LOCAL_CONFIG, (c) => (c.network.natGateways = "perAz")), 100);
    expect(report).toMatch(/NAT Gateways\s+1\s+2/);
    expect(report).toMatch(/total per month\s+55\.11 USD\s+104\.02 USD/);
    expect(report).toContain('This config (natGateways "perAz"): 104.02 USD per month.');
  });

  it("gives one line for the demo and parses --gb", () => {
    expect(costLine(loadConfig(LOCAL_CONFIG))).toBe("Cost on AWS (ap-northeast-1, list price): about 55.11 USD per month for 1 NAT Gateway(s) with 100 GB; see make cost.");
    expect(parseGb(["--gb", "250"])).toBe(250);
    expect(parseGb([])).toBe(100);
    expect(() => parseGb(["--gb", "lots"])).toThrow(/--gb "lots" is not a number/);
  });
});
