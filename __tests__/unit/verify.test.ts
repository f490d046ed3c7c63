/** make verify's verdict, and its AWS runner (Lambda Invoke) against a stand-in client. */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { ProbeRunner, dataPlaneRunner, lambdaRunner, verdict } from "../../jobs/verify";

const runner: ProbeRunner = { where: "a test", expected: (network, ips) => ({ addresses: [...ips], called: `an egress IP of ${network} (${ips.join(", ")})` }), run: async () => ({}) };
const reply = (payload: unknown, functionError?: string) => ({
  calls: [] as InvokeCommand[],
  async send(command: InvokeCommand) {
    this.calls.push(command);
    return { StatusCode: 200, FunctionError: functionError, Payload: new TextEncoder().encode(JSON.stringify(payload)) };
  },
});

describe("make verify", () => {
  it("passes when the database saw an egress IP, naming it", () => {
    expect(verdict("demo-network", runner, ["198.51.100.7", "198.51.100.8"], { sourceIp: "198.51.100.8" })).toEqual({
      text: "verify demo-network: the probe ran as a test.\nthe database saw 198.51.100.8: an egress IP of demo-network (198.51.100.7, 198.51.100.8)\n",
      code: 0,
    });
  });

  it("fails when the database saw another address, when it gave none, and when it was not reached", () => {
    const other = verdict("demo-network", runner, ["198.51.100.7"], { sourceIp: "192.0.2.9" });
    expect(other.code).toBe(1);
    expect(other.text).toContain("the database saw 192.0.2.9, not an egress IP of demo-network (198.51.100.7): traffic leaves another way; make drift");
    expect(verdict("demo-network", runner, ["198.51.100.7"], { sourceIp: null })).toMatchObject({ code: 1, text: expect.stringContaining("the database reported no client address") });
    expect(verdict("demo-network", runner, ["198.51.100.7"], { error: "database 203.0.113.50:5432: no answer within 5000 ms" })).toMatchObject({
      code: 1,
      text: expect.stringContaining("the database is unreachable: database 203.0.113.50:5432: no answer within 5000 ms"),
    });
  });

  it("on AWS invokes the function once with an empty event and reads its result or its error", async () => {
    const ok = reply({ engine: "postgres", sourceIp: "198.51.100.7", egressIpExpected: true });
    expect(await lambdaRunner("demo-egress-probe", ok).run({} as never)).toEqual({ sourceIp: "198.51.100.7" });
    expect(ok.calls.map((c) => [c.input.FunctionName, new TextDecoder().decode(c.input.Payload as Uint8Array)])).toEqual([["demo-egress-probe", "{}"]]);
    const failed = reply({ errorType: "Error", errorMessage: "database 203.0.113.50:5432: the connection was refused (ECONNREFUSED)" }, "Unhandled");
    expect(await lambdaRunner("demo-egress-probe", failed).run({} as never)).toEqual({ error: "database 203.0.113.50:5432: the connection was refused (ECONNREFUSED)" });
  });

  it("expects the network's egress IPs on AWS, and the data plane's NAT address on the emulator", () => {
    expect(lambdaRunner("f", reply({})).expected("demo-network", ["198.51.100.7"])).toEqual({ addresses: ["198.51.100.7"], called: "an egress IP of demo-network (198.51.100.7)" });
    expect(dataPlaneRunner.expected("demo-network", ["127.0.0.5"])).toEqual({ addresses: ["203.0.113.10"], called: "the data plane's NAT address, standing for the egress IPs of demo-network (127.0.0.5)" });
  });
});
