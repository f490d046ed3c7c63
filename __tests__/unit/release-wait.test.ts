/**
 * The deploy job's wait after it frees a NAT device's Elastic IPs: AWS may keep an address associated for a
 * short while after the device reads deleted, and a new NAT Gateway would be refused it. Pinned on the EC2
 * API's answers (the emulator frees addresses at once, so it cannot show the wait).
 */
import { DescribeAddressesCommand } from "@aws-sdk/client-ec2";
import { waitUntilReleased } from "../../jobs/preflight";

/** An EC2 client whose address stays associated for the first `busy` looks. */
const ec2 = (busy: number) => {
  let looks = 0;
  return {
    looks: () => looks,
    send: async (c: unknown) => {
      expect(c).toBeInstanceOf(DescribeAddressesCommand);
      looks++;
      return { Addresses: [{ AllocationId: "eipalloc-1", ...(looks <= busy ? { AssociationId: "eipassoc-1", NetworkInterfaceId: "eni-1" } : {}) }] };
    },
  };
};

describe("waiting for AWS to release a freed Elastic IP", () => {
  it("returns at once when the address is free", async () => {
    const c = ec2(0);
    await waitUntilReleased(c as never, ["eipalloc-1"], { everyMs: 1 });
    expect(c.looks()).toBe(1);
  });

  it("looks again until the association is gone", async () => {
    const c = ec2(3);
    await waitUntilReleased(c as never, ["eipalloc-1"], { everyMs: 5 });
    expect(c.looks()).toBe(4);
  });

  it("asks nothing when nothing was freed (DescribeAddresses without ids would list every address)", async () => {
    const c = ec2(0);
    expect(await waitUntilReleased(c as never, [])).toBe(0);
    expect(c.looks()).toBe(0);
  });

  it("gives up when time runs out, naming the address and what to do", async () => {
    await expect(waitUntilReleased(ec2(1000) as never, ["eipalloc-1"], { everyMs: 10, timeoutMs: 50 })).rejects.toThrow(/^Elastic IP allocation\(s\) eipalloc-1 still associated \d+ s after their NAT device was deleted; run make deploy again in a few minutes$/);
  });
});
