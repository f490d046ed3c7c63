/** GuardRunTask: the guard's run task handler as a Lambda function behind a function URL, with its HMAC key in Secrets Manager. */
import { GuardRunTask, LambdaCode } from "../../constructs";
import { all, one, ref, synthStack } from "../helpers/synth";

const ENTRY = require.resolve("../../guard/run-task/lambda.ts");
const synth = (props: Partial<ConstructorParameters<typeof GuardRunTask>[2]> = {}) =>
  synthStack((scope) => new GuardRunTask(scope, "run-task", { functionName: "egress-guard", code: LambdaCode.fromEntry(ENTRY), ...props }));

describe("GuardRunTask", () => {
  it("serves the handler behind an unauthenticated function URL (the HMAC is the authentication), with a new secret for the key", () => {
    const s = synth();
    const [fn, body] = one(s, "aws_lambda_function");
    const [secret] = one(s, "aws_secretsmanager_secret");
    expect(body.environment.variables).toEqual({ FIXED_EGRESS_GUARD_HMAC_SECRET_ARN: ref("aws_secretsmanager_secret", secret, "arn") });
    expect(one(s, "aws_lambda_function_url")[1]).toMatchObject({ function_name: ref("aws_lambda_function", fn, "function_name"), authorization_type: "NONE" });
    expect(body.timeout).toBe(60);
  });

  it("lets the role write its own logs (kept 30 days) and read the one secret, nothing else", () => {
    const s = synth({ hmacSecretArn: "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:guard-key-AbCdEf", logRetentionDays: 14 });
    expect(all(s, "aws_secretsmanager_secret")).toEqual([]);
    expect(one(s, "aws_cloudwatch_log_group")[1]).toMatchObject({ name: "/aws/lambda/egress-guard", retention_in_days: 14 });
    const [, doc] = all(s, "aws_iam_policy_document", "data").find(([id]) => id.includes("access"))!;
    expect(doc.statement.map((x: { sid: string; actions: string[]; resources: string[] }) => [x.sid, x.actions, x.resources])).toEqual([
      ["OwnLogGroupOnly", ["logs:CreateLogStream", "logs:PutLogEvents"], [expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn\}:\*$/)]],
      ["ReadTheHmacKeyOnly", ["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:guard-key-AbCdEf"]],
    ]);
  });

  it("fails with every problem at once, each naming the field and the fix", () => {
    expect(() => synth({ functionName: "egress guard!", hmacSecretArn: "guard-key", allowListedEgressIps: ["203.0.113.0/24"] })).toThrow(
      /functionName: "egress guard!".*1-59 letters[\s\S]*hmacSecretArn: "guard-key".*full ARN[\s\S]*allowListedEgressIps\[0\]: "203\.0\.113\.0\/24" is not an IPv4 address/,
    );
  });
});
