import { bootstrapState, checkStateBucket, tlsOnlyPolicy } from "../../scripts/bootstrap-state";
import { loadConfig } from "../../stacks/config";
import { LOCAL_CONFIG, derivedConfig } from "../helpers/config";
import { freePort } from "../helpers/postgres";

describe("state bootstrap", () => {
  it("denies every S3 action on the bucket and its objects without TLS", () => {
    expect(JSON.parse(tlsOnlyPolicy("b"))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
  });

  it("names a dead emulator endpoint in one sentence, for the bootstrap and for the check", async () => {
    const port = await freePort(); // nothing listens there
    const config = derivedConfig(LOCAL_CONFIG, (c) => (c.emulator.endpoint = `http://127.0.0.1:${port}/`));
    const sentence = `nothing answers at the emulator at http://127.0.0.1:${port}; start it with: make emulator-start`;
    await expect(bootstrapState(config, () => undefined)).rejects.toThrow(sentence);
    await expect(checkStateBucket(config)).rejects.toThrow(sentence);
  });

  it("has nothing to do for a local backend", async () => {
    const lines: string[] = [];
    const config = derivedConfig(LOCAL_CONFIG, (c) => (c.backend = { type: "local" }));
    expect(await bootstrapState(config, (l) => lines.push(l))).toEqual([]);
    expect(lines).toEqual(['backend is "local": no state bucket to bootstrap']);
    await expect(checkStateBucket(config)).resolves.toBeUndefined();
    expect(loadConfig(LOCAL_CONFIG).emulator!.endpoint).toBe("http://127.0.0.1:4566");
  });
});
