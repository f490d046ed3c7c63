/** Before an apply, a NAT Gateway given more Elastic IPs than the account's quota is refused, in one sentence naming the quota and how to raise it. */
import { NAT_ADDRESS_QUOTA, natAddressQuotaProblem } from "../../jobs/preflight";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, derivedConfig } from "../helpers/config";

const withSecondaries = (n: number) => derivedConfig(LOCAL_CONFIG, (c) => (c.network.natGatewaySecondaryEips = n));
const reads = (value: number | Error) => async (service: string, code: string) => {
  expect([service, code]).toEqual([NAT_ADDRESS_QUOTA.serviceCode, NAT_ADDRESS_QUOTA.quotaCode]);
  if (value instanceof Error) throw value;
  return value;
};

describe("the NAT Gateway address quota", () => {
  it("is not asked for when a gateway holds no more than AWS's default of 2", async () => {
    const never = async () => {
      throw new Error("asked");
    };
    expect(await natAddressQuotaProblem(withSecondaries(1), never)).toBeUndefined();
    expect(await natAddressQuotaProblem(loadConfig(LOCAL_CONFIG), never)).toBeUndefined();
  });

  it("passes when the account's quota was raised far enough", async () => {
    expect(await natAddressQuotaProblem(withSecondaries(2), reads(3))).toBeUndefined();
  });

  it("refuses 3 addresses on the default quota, naming the field, the quota and the request that raises it", async () => {
    expect(await natAddressQuotaProblem(withSecondaries(2), reads(2))).toBe(
      'network.natGatewaySecondaryEips: a NAT Gateway would hold 3 Elastic IPs, but the quota "Elastic IP addresses per public NAT gateway" (vpc L-5F53652F) is 2 in ap-northeast-1; ask for 3 (aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-5F53652F --desired-value 3; up to 8), or give fewer addresses. Nothing was applied.',
    );
  });

  it("takes AWS's default when Service Quotas cannot be read, and says so", async () => {
    const denied = Object.assign(new Error("no"), { name: "AccessDeniedException" });
    expect(await natAddressQuotaProblem(withSecondaries(2), reads(denied))).toMatch(/is 2 in ap-northeast-1 \(Service Quotas could not be read: AccessDeniedException; taken as AWS's default\); ask for 3/);
  });
});
