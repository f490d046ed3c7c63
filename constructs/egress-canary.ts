import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { ValidationError } from "./errors";
import { rolePrefix } from "./names";
import { mergeTags } from "./tags";
import { NAME_PATTERN } from "./network-props";
import { Problems, SNS_TOPIC_ARN, checkPattern } from "./validate";

/**
 * What the function writes on each scheduled run (the embedded metric format: one log line CloudWatch Logs turns
 * into metrics): both metrics, 1 or 0, in this namespace, with the network's name as the only dimension.
 */
export const EGRESS_CANARY_METRICS = { namespace: "FixedEgress", dimension: "Network", expected: "EgressIpExpected", reachable: "DatabaseReachable" } as const;

/** Every default of the canary, in one place. */
export const EGRESS_CANARY_DEFAULTS = { schedule: "rate(5 minutes)" } as const;

export interface EgressCanaryProps {
  /** The function to run: it takes `{"canary": true}` and writes `EGRESS_CANARY_METRICS`. */
  readonly function: LambdaFunction;
  /** The network's name: the metrics' `Network` dimension, and the prefix of the schedule's and alarms' names. */
  readonly networkName: string;
  /** How often: an EventBridge Scheduler rate, `rate(N minutes)` or `rate(N hours)`, 1 minute to 24 hours. @default "rate(5 minutes)" */
  readonly schedule?: string;
  /** The SNS topic both alarms notify, firing and back to OK. @default - no notification */
  readonly alarmTopicArn?: string;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours)\)$/;

/** The seconds between runs of a rate expression, or a problem with it. */
export function rateSeconds(schedule: string): number | string {
  const m = RATE.exec(schedule);
  const fix = 'use "rate(N minutes)" or "rate(N hours)", such as "rate(5 minutes)" ("rate(1 minute)", "rate(1 hour)" for one)';
  if (!m) return `"${schedule}" is not a rate the canary takes; ${fix} (the alarms' period follows the rate, so cron expressions are not taken)`;
  const n = Number(m[1]);
  if ((n === 1) !== !m[2].endsWith("s")) return `"${schedule}" says ${n} ${m[2]}; EventBridge Scheduler wants the singular unit for 1 and the plural otherwise`;
  const seconds = n * (m[2].startsWith("hour") ? 3600 : 60);
  if (seconds < 60 || seconds > 86_400) return `"${schedule}" is outside 1 minute to 24 hours, the rates the canary takes (its alarms' period is the rate, evaluated two periods in a row)`;
  return seconds;
}

/**
 * An egress canary: an EventBridge Scheduler schedule that runs the probe with `{"canary": true}` (no retry: a
 * missed run shows as missing data), a role that may invoke that function only, and two alarms, egress IP not
 * expected and database unreachable, each on two consecutive periods of the schedule, missing data breaching.
 */
export class EgressCanary extends Construct {
  public readonly schedule: SchedulerSchedule;
  public readonly role: IamRole;
  public readonly egressIpAlarm: CloudwatchMetricAlarm;
  public readonly reachableAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: EgressCanaryProps) {
    const p = new Problems();
    const schedule = props.schedule ?? EGRESS_CANARY_DEFAULTS.schedule;
    const period = rateSeconds(schedule);
    if (typeof period === "string") p.add("schedule", period);
    checkPattern(p, "networkName", props.networkName, NAME_PATTERN, "use 2-32 lowercase letters, digits or hyphens (the network's name)");
    checkPattern(p, "alarmTopicArn", props.alarmTopicArn, SNS_TOPIC_ARN, 'give the SNS topic\'s ARN, such as "arn:aws:sns:ap-northeast-1:123456789012:egress"');
    if (p.list.length > 0) throw new ValidationError(p.list, `${scope.node.path}/${id}`);
    super(scope, id);
    const name = `${props.networkName}-egress-canary`;
    const tags = (n: string) => mergeTags(n, props.tags);
    const fn = props.function;

    // Only EventBridge Scheduler of this account may take the role (the confused-deputy guard AWS documents).
    const account = new DataAwsCallerIdentity(this, "account");
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }], condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] }] }],
    });
    this.role = new IamRole(this, "role", { namePrefix: rolePrefix(name, "role"), assumeRolePolicy: trust.json, tags: tags(`${name}-role`) });
    const invoke = new DataAwsIamPolicyDocument(this, "invoke-document", { statement: [{ sid: "InvokeTheProbeOnly", actions: ["lambda:InvokeFunction"], resources: [fn.arn, `${fn.arn}:*`] }] });
    const policy = new IamRolePolicy(this, "invoke", { role: this.role.id, name: "invoke-the-probe", policy: invoke.json });

    this.schedule = new SchedulerSchedule(this, "schedule", {
      name,
      description: `Runs ${props.networkName}'s egress probe as a canary: the database's view of the source address against the egress IPs`,
      scheduleExpression: schedule,
      flexibleTimeWindow: { mode: "OFF" },
      target: { arn: fn.arn, roleArn: this.role.arn, input: JSON.stringify({ canary: true }), retryPolicy: { maximumRetryAttempts: 0 } },
      dependsOn: [policy],
    });

    const M = EGRESS_CANARY_METRICS;
    const alarm = (alarmId: string, metric: string, what: string, todo: string) =>
      new CloudwatchMetricAlarm(this, alarmId, {
        alarmName: `${props.networkName}-${alarmId}`,
        alarmDescription: `${what} on two runs of the egress canary in a row, or it did not run (missing data). ${todo}`,
        namespace: M.namespace,
        metricName: metric,
        dimensions: { [M.dimension]: props.networkName },
        statistic: "Minimum",
        period: period as number,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        ...(props.alarmTopicArn ? { alarmActions: [props.alarmTopicArn], okActions: [props.alarmTopicArn] } : {}),
        tags: tags(`${props.networkName}-${alarmId}`),
      });
    this.egressIpAlarm = alarm("egress-ip-unexpected", M.expected, "The database saw a source address that is not an egress IP", "The function's log line names the address seen: compare it with the network's egress IPs (its egress_ip_details output); a NAT device that lost its address, or a route changed outside Terraform, does this (a refresh-only plan shows it).");
    this.reachableAlarm = alarm("database-unreachable", M.reachable, "The probe could not reach the database", "The function's log line says why; check that the database is up and allow-lists every egress IP.");
  }
}
