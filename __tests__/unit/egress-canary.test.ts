/** The egress canary in the app: the schedule, its role, the two alarms, the probe's settings; bad settings refused. */
import { EGRESS_CANARY_METRICS, rateSeconds } from "../../constructs";
import { CANARY_METRICS } from "../../lambda-src/canary";
import { loadConfig } from "../../stacks/config";
import { synthApp } from "../helpers/app";
import { LOCAL_CONFIG, derivedConfig, rawConfig, writeTempConfig } from "../helpers/config";
import { one } from "../helpers/synth";
import type { Json } from "../helpers/synth";

const TOPIC = "arn:aws:sns:ap-northeast-1:123456789012:egress";
/** The one resource of a type in a synthesized stack's JSON. */
const only = (s: Json, type: string) => one({ json: s }, type);
const vars = (s: Json) => (Object.values(s.resource.aws_lambda_function)[0] as Json).environment.variables;

describe("lambda.canary", () => {
  it("none by default: no schedule, no alarm, the probe without a network name", () => {
    const s = synthApp(loadConfig(LOCAL_CONFIG)).app;
    expect(s.resource.aws_scheduler_schedule).toBeUndefined();
    expect(s.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    expect(vars(s).NETWORK_NAME).toBeUndefined();
  });

  it("runs the probe every 5 minutes with {canary: true}, no retry, through a role only Scheduler of this account takes and that may invoke only the probe", () => {
    const s = synthApp(derivedConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = {}))).app;
    const [fnId] = only(s, "aws_lambda_function");
    const [, schedule] = only(s, "aws_scheduler_schedule");
    expect(schedule).toMatchObject({ name: "demo-egress-canary", schedule_expression: "rate(5 minutes)", flexible_time_window: { mode: "OFF" } });
    expect(schedule.target).toMatchObject({ arn: `\${aws_lambda_function.${fnId}.arn}`, input: '{"canary":true}', retry_policy: { maximum_retry_attempts: 0 } });
    const documents = s.data.aws_iam_policy_document as Record<string, Json>;
    const trust = Object.entries(documents).find(([id]) => id.includes("canary_trust"))![1];
    expect(trust.statement[0]).toMatchObject({ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }], condition: [{ test: "StringEquals", variable: "aws:SourceAccount" }] });
    const invoke = Object.entries(documents).find(([id]) => id.includes("canary_invoke-document"))![1];
    expect(invoke.statement).toEqual([{ sid: "InvokeTheProbeOnly", actions: ["lambda:InvokeFunction"], resources: [`\${aws_lambda_function.${fnId}.arn}`, `\${aws_lambda_function.${fnId}.arn}:*`] }]);
    expect(vars(s).NETWORK_NAME).toBe("demo");
    expect(vars(s).EGRESS_OBSERVER_URL).toBeUndefined();
  });

  it("alarms when the egress IP is not expected or the database unreachable, on two periods of the schedule, missing data breaching, notifying the network's topic", () => {
    const s = synthApp(derivedConfig(LOCAL_CONFIG, (c) => ((c.lambda.canary = { schedule: "rate(2 hours)" }), (c.network.alarms = { topicArn: TOPIC })))).app;
    const alarms = Object.values(s.resource.aws_cloudwatch_metric_alarm as Record<string, Json>);
    expect(alarms.map((a) => [a.alarm_name, a.metric_name]).sort()).toEqual([
      ["demo-database-unreachable", "DatabaseReachable"],
      ["demo-egress-ip-unexpected", "EgressIpExpected"],
    ]);
    for (const a of alarms) {
      expect(a).toMatchObject({ namespace: "FixedEgress", dimensions: { Network: "demo" }, statistic: "Minimum", period: 7200, evaluation_periods: 2, datapoints_to_alarm: 2, threshold: 1, comparison_operator: "LessThanThreshold", treat_missing_data: "breaching", alarm_actions: [TOPIC], ok_actions: [TOPIC] });
      expect(a.alarm_description).toMatch(/The function's log line/);
    }
    // Without a topic the alarms still exist, notifying nobody.
    const quiet = synthApp(derivedConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = {}))).app;
    for (const a of Object.values(quiet.resource.aws_cloudwatch_metric_alarm as Record<string, Json>)) expect(a.alarm_actions).toBeUndefined();
  });

  it("expects the network's egress IPs, or the ones given; asks the observer when one is set", () => {
    const s = synthApp(derivedConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = { expectedIps: ["198.51.100.7", "198.51.100.8"], observer: "https://checkip.amazonaws.com" }))).app;
    expect(vars(s)).toMatchObject({ EGRESS_IPS: "198.51.100.7,198.51.100.8", EGRESS_OBSERVER_URL: "https://checkip.amazonaws.com", NETWORK_NAME: "demo" });
    expect(vars(synthApp(loadConfig(LOCAL_CONFIG)).app).EGRESS_IPS).toMatch(/^\$\{join\(",", data\.terraform_remote_state\..*\.outputs\.egress_ips\)\}$/);
  });

  it("writes the metrics the alarms watch (the probe's names are the construct's)", () => {
    expect(CANARY_METRICS).toEqual(EGRESS_CANARY_METRICS);
  });

  it.each([
    ["cron(0/5 * * * ? *)", /is not a rate the canary takes; use "rate\(N minutes\)"/],
    ["rate(1 minutes)", /EventBridge Scheduler wants the singular unit for 1/],
    ["rate(5 minute)", /wants the singular unit for 1 and the plural otherwise/],
    ["rate(25 hours)", /outside 1 minute to 24 hours/],
  ])("refuses the schedule %s", (schedule, message) => {
    expect(rateSeconds(schedule)).toMatch(message);
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = { schedule })));
    expect(() => loadConfig(file)).toThrow(new RegExp(`\\$\\.lambda\\.canary\\.schedule: .*${message.source}`));
  });

  it("refuses an observer that is not HTTPS and addresses that are not IPv4, naming each field", () => {
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.lambda.canary = { observer: "http://checkip.amazonaws.com", expectedIps: ["198.51.100.7", "10.0.0.0/8"] })));
    expect(() => loadConfig(file)).toThrow(/\$\.lambda\.canary\.expectedIps\[1\]: "10\.0\.0\.0\/8" is not an IPv4 address[^\n]*\n[^\n]*\$\.lambda\.canary\.observer: "http:\/\/checkip\.amazonaws\.com" is not an HTTPS URL/);
    expect(rateSeconds("rate(1 minute)")).toBe(60);
    expect(rateSeconds("rate(24 hours)")).toBe(86_400);
  });
});
