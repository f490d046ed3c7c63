import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { rolePrefix } from "./names";
import { regionNameOf } from "./provider-compat";

export interface FlowLogOptions {
  readonly name: string;
  readonly vpcId: string;
  /** the VPC when created here (its owner is read from it) @default - an existing VPC, looked up */
  readonly vpc?: Vpc;
  readonly region: DataAwsRegion;
  readonly partition: DataAwsPartition;
  readonly retentionInDays: number;
  readonly tags: (name: string) => Record<string, string>;
}

/** VPC flow logs to a CloudWatch Logs group of their own, through a role only this account's flow logs may assume. */
export function addFlowLogs(scope: Construct, o: FlowLogOptions): FlowLog {
  const { name, tags } = o;
  const group = new CloudwatchLogGroup(scope, "log-group", {
    name: `/vpc/${name}/flow-logs`,
    retentionInDays: o.retentionInDays,
    tags: tags(`flow-logs-${name}`),
  });
  // The account that owns the VPC owns its flow logs; read from the VPC, so plan needs no STS call.
  const account = o.vpc?.ownerId ?? new DataAwsVpc(scope, "existing-vpc", { id: o.vpcId }).ownerId;
  const partition = o.partition;
  // Only VPC Flow Logs acting for this account's flow logs in this region may assume the role (confused deputy).
  const trust = new DataAwsIamPolicyDocument(scope, "trust", {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition.partition}:ec2:${regionNameOf(o.region)}:${account}:vpc-flow-log/*`] },
        ],
      },
    ],
  });
  const role = new IamRole(scope, "role", {
    namePrefix: rolePrefix(name, "flow-logs"),
    assumeRolePolicy: trust.json,
    tags: tags(`${name}-flow-logs`),
    lifecycle: { createBeforeDestroy: true },
  });
  const write = new DataAwsIamPolicyDocument(scope, "write", {
    statement: [{ actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], resources: [group.arn, `${group.arn}:*`] }],
  });
  new IamRolePolicy(scope, "write-policy", { role: role.id, name: "write-flow-logs", policy: write.json });
  return new FlowLog(scope, "flow-log", {
    vpcId: o.vpcId,
    trafficType: "ALL",
    logDestinationType: "cloud-watch-logs",
    logDestination: group.arn,
    iamRoleArn: role.arn,
    tags: tags(`flow-logs-${name}`),
  });
}
