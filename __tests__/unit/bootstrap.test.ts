import { spawnSync } from "child_process";
import { bootstrapState, checkStateBucket, LIFECYCLE_RULE_ID, lifecycleRule, mergeLifecycleRule, mergeTlsOnlyStatement, settle, tlsOnlyPolicy, tlsOnlyStatement } from "../../jobs/bootstrap-state";
import { loadConfig } from "../../stacks/config";
import { AWS_EXAMPLE, JOB_MAIN, LOCAL_CONFIG, derivedConfig } from "../helpers/config";
import { freePort } from "../../jobs/dataplane/postgres";

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

  const OTHER_TEAM = { Sid: "AnalyticsRead", Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/reports/*" };

  it("adds the TLS-only statement to a shared bucket's policy and keeps every other statement", () => {
    const merged = JSON.parse(mergeTlsOnlyStatement(JSON.stringify({ Version: "2012-10-17", Id: "shared", Statement: [OTHER_TEAM] }), "b")!);
    expect(merged).toEqual({ Version: "2012-10-17", Id: "shared", Statement: [OTHER_TEAM, tlsOnlyStatement("b")] });
  });

  it("replaces only a stale statement of the same Sid, and changes nothing when the policy is right", () => {
    const stale = { ...tlsOnlyStatement("b"), Action: "s3:GetObject" };
    const merged = JSON.parse(mergeTlsOnlyStatement(JSON.stringify({ Version: "2012-10-17", Statement: [stale, OTHER_TEAM] }), "b")!);
    expect(merged.Statement).toEqual([tlsOnlyStatement("b"), OTHER_TEAM]);
    expect(mergeTlsOnlyStatement(JSON.stringify(merged), "b")).toBeUndefined();
    expect(mergeTlsOnlyStatement(undefined, "b")).toBe(tlsOnlyPolicy("b"));
    // a single statement object (not a list) is valid IAM JSON too
    expect(JSON.parse(mergeTlsOnlyStatement(JSON.stringify({ Version: "2012-10-17", Statement: OTHER_TEAM }), "b")!).Statement).toHaveLength(2);
  });

  it("adds a lifecycle rule for its own keys (noncurrent versions expire, expired delete markers go) and keeps other rules", () => {
    const rule = lifecycleRule("fixed-egress", 90);
    expect(rule).toEqual({
      ID: LIFECYCLE_RULE_ID,
      Status: "Enabled",
      Filter: { Prefix: "fixed-egress/" },
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      Expiration: { ExpiredObjectDeleteMarker: true },
    });
    const other = { ID: "logs", Status: "Enabled" as const, Filter: { Prefix: "logs/" }, Expiration: { Days: 7 } };
    expect(mergeLifecycleRule([other], rule)).toEqual([other, rule]);
    expect(mergeLifecycleRule([other, rule], rule)).toBeUndefined();
    expect(mergeLifecycleRule([other, lifecycleRule("fixed-egress", 30)], rule)).toEqual([other, rule]);
  });

  it("sends S3 exactly the merged policy and rules for a shared bucket, and nothing on a second run", async () => {
    const state: Record<string, unknown> = {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [OTHER_TEAM] }),
      rules: [{ ID: "logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 7 } }],
    };
    const sent: string[] = [];
    const fake = {
      send: async (cmd: { constructor: { name: string }; input: any }) => {
        const name = cmd.constructor.name.replace(/Command$/, "");
        sent.push(name);
        switch (name) {
          case "HeadBucket": return {};
          case "GetBucketVersioning": return { Status: "Enabled" };
          case "GetBucketEncryption": return { ServerSideEncryptionConfiguration: { Rules: [{}] } };
          case "GetPublicAccessBlock": return { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } };
          case "GetBucketLifecycleConfiguration": return { Rules: state.rules };
          case "PutBucketLifecycleConfiguration": state.rules = cmd.input.LifecycleConfiguration.Rules; return {};
          case "GetBucketPolicy": return { Policy: state.policy };
          case "PutBucketPolicy": state.policy = cmd.input.Policy; return {};
          default: throw new Error(`unexpected ${name}`);
        }
      },
    };
    const settings = { bucket: "b", region: "ap-northeast-1", keyPrefix: "fixed-egress", noncurrentVersionDays: 90 };
    const changes = await settle({}, settings, fake as never, () => undefined);
    expect(changes).toEqual([
      expect.stringMatching(/^set the lifecycle rule fixed-egress-expire-noncurrent-state \(fixed-egress\/: noncurrent versions expire after 90 days/),
      "added the TLS-only statement DenyInsecureTransport to the bucket policy (other statements kept)",
    ]);
    expect(JSON.parse(state.policy as string).Statement).toEqual([OTHER_TEAM, tlsOnlyStatement("b")]);
    expect((state.rules as { ID: string }[]).map((r) => r.ID)).toEqual(["logs", LIFECYCLE_RULE_ID]);
    sent.length = 0;
    expect(await settle({}, settings, fake as never, () => undefined)).toEqual([]);
    expect(sent.filter((n) => n.startsWith("Put"))).toEqual([]);
  });

  it("says in one sentence that no AWS credentials were found, and how to give them", () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: "/nonexistent", FIXED_EGRESS_CONFIG: AWS_EXAMPLE, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: "/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials", NODE_NO_WARNINGS: "1" };
    const r = spawnSync(process.execPath, [JOB_MAIN, "plan"], { env, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "state bucket: no AWS credentials were found: set AWS_PROFILE (after aws sso login --profile <name> for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role provides them; make demo runs locally without any",
    );
  });
});
