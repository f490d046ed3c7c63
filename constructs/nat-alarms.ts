import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

/** One alarm a NAT device gets: its metric, when it fires, and what a person (or EC2) does about it. */
interface AlarmSpec {
  readonly id: string;
  readonly namespace: "AWS/EC2" | "AWS/NATGateway";
  readonly metric: string;
  readonly statistic: "Maximum" | "Sum" | "Minimum";
  readonly comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** an EC2 action that repairs the device without a person (`recover`, `reboot`) @default - notify only */
  readonly ec2Action?: "recover" | "reboot";
  /** what the alarm means and what to do, in its description */
  readonly description: string;
}

/** Status checks: EC2 repairs these itself (always created); the topic, when given, is told too. */
const INSTANCE_RECOVERY: readonly AlarmSpec[] = [
  {
    id: "system-status",
    namespace: "AWS/EC2",
    metric: "StatusCheckFailed_System",
    statistic: "Maximum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 2,
    ec2Action: "recover",
    description:
      "The NAT instance's host failed its system status check: EC2 recovers the instance onto other hardware (same interface, same Elastic IP); egress stops for the few minutes that takes. If it fires again, check the AWS Health Dashboard for the host.",
  },
  {
    id: "instance-status",
    namespace: "AWS/EC2",
    metric: "StatusCheckFailed_Instance",
    statistic: "Maximum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 3,
    ec2Action: "reboot",
    description:
      "The NAT instance failed its instance status check (hung kernel, out of memory, network down): EC2 reboots it, and its user data forwards again at boot; egress stops for a minute or two. If it repeats, read its console output (aws ec2 get-console-output) and consider a larger instance type.",
  },
];

/** CPU credits of a burstable type: notify only (with a topic). Unlimited mode (the default) bills, it does not throttle. */
const INSTANCE_CREDITS: AlarmSpec = {
  id: "cpu-credits",
  namespace: "AWS/EC2",
  metric: "CPUCreditBalance",
  statistic: "Minimum",
  comparison: "LessThanThreshold",
  threshold: 10,
  periodSeconds: 300,
  evaluationPeriods: 2,
  description:
    "The NAT instance is running out of CPU credits. T4g, T3 and T3a instances launch in unlimited mode: at zero balance they keep their speed and bill surplus credits by the vCPU-hour (forwarding is not slowed, the bill grows). Move to a larger or non-burstable instance type (natInstanceType), or switch the network to NAT Gateways.",
};

/** NAT Gateway alarms: notify only (with a topic). */
const GATEWAY: readonly AlarmSpec[] = [
  {
    id: "port-allocation",
    namespace: "AWS/NATGateway",
    metric: "ErrorPortAllocation",
    statistic: "Sum",
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 1,
    description:
      "The NAT Gateway could not allocate a source port: one address carries 55,000 simultaneous connections to one destination, and new ones now fail. Add secondary addresses (natGatewaySecondaryEips; each is another IP the database must allow-list), or reuse connections (pooling).",
  },
  {
    id: "packets-dropped",
    namespace: "AWS/NATGateway",
    metric: "PacketsDropCount",
    statistic: "Sum",
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 300,
    evaluationPeriods: 3,
    description:
      "The NAT Gateway has been dropping packets for 15 minutes: check the AWS Health Dashboard for NAT Gateway events in this zone, and whether traffic nears its limits (100 Gbps, 10 million packets per second).",
  },
];

const isBurstable = (instanceType: string) => /^t\d/.test(instanceType);

/** How many alarms a device gets (what a cost estimate counts). */
export function alarmCount(kind: "gateway" | "instance", notify: boolean, instanceType = ""): number {
  if (kind === "gateway") return notify ? GATEWAY.length : 0;
  return INSTANCE_RECOVERY.length + (notify && isBurstable(instanceType) ? 1 : 0);
}

/** The network's region and partition, looked up once and only when asked (for ARNs). */
export interface NetworkLookups {
  readonly region: () => string;
  readonly partition: () => string;
}

function create(scope: Construct, specs: readonly AlarmSpec[], o: { zone: string; name: string; dimensions: Record<string, string>; topicArn?: string; lookups: NetworkLookups }): CloudwatchMetricAlarm[] {
  return specs.map((s) => {
    const actions = [...(s.ec2Action ? [`arn:${o.lookups.partition()}:automate:${o.lookups.region()}:ec2:${s.ec2Action}`] : []), ...(o.topicArn ? [o.topicArn] : [])];
    return new CloudwatchMetricAlarm(scope, `alarm-${s.id}-${o.zone}`, {
      alarmName: `${o.name}-nat-${o.zone}-${s.id}`,
      alarmDescription: s.description,
      namespace: s.namespace,
      metricName: s.metric,
      statistic: s.statistic,
      comparisonOperator: s.comparison,
      threshold: s.threshold,
      period: s.periodSeconds,
      evaluationPeriods: s.evaluationPeriods,
      dimensions: o.dimensions,
      // No data (a stopped instance, a quiet gateway) is not a failure.
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: o.topicArn ? [o.topicArn] : undefined,
    });
  });
}

/** A NAT instance's alarms: status checks that recover or reboot it (always), CPU credits (with a topic, burstable types). */
export function instanceAlarms(scope: Construct, o: { zone: string; name: string; instanceId: string; instanceType: string; topicArn?: string; lookups: NetworkLookups }): CloudwatchMetricAlarm[] {
  const specs = [...INSTANCE_RECOVERY, ...(o.topicArn && isBurstable(o.instanceType) ? [INSTANCE_CREDITS] : [])];
  return create(scope, specs, { ...o, dimensions: { InstanceId: o.instanceId } });
}

/** A NAT Gateway's alarms (with a topic): port allocation errors, dropped packets. */
export function gatewayAlarms(scope: Construct, o: { zone: string; name: string; natGatewayId: string; topicArn?: string; lookups: NetworkLookups }): CloudwatchMetricAlarm[] {
  return o.topicArn ? create(scope, GATEWAY, { ...o, dimensions: { NatGatewayId: o.natGatewayId } }) : [];
}
