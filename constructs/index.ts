export { FixedEgressNetwork } from "./fixed-egress-network";
export type { IPrivateNetwork } from "./fixed-egress-network";
export { NETWORK_DEFAULTS, NAME_PATTERN, MAX_SECONDARY_ADDRESSES, planNetwork, validateNetworkProps } from "./network-plan";
export type {
  FixedEgressNetworkProps,
  FlowLogsProps,
  NatAlarmsProps,
  NetworkPlan,
  ZonePlan,
  RouteTablePlan,
  PrivateRouteTablePlan,
  DevicePlan,
  EgressAllocation,
} from "./network-plan";
export type { PublishEgressIpsProps, EgressPublishing } from "./egress-publishing";
export { NETWORK_CONTRACT, NETWORK_OUTPUTS, NOT_APPLIED_OUTPUTS, networkAppliedPrecondition, networkOutputs } from "./contract";
export type { NetworkOutputKey } from "./contract";
export type { AdoptedNetwork, AdoptedResource, AdoptedRouteTable, AdoptedNatGateway, AdoptedAddress } from "./adopt";
export { ADOPTION_MARKER_TAG, routeImportId } from "./adopt";
export { moveFromLegacyId } from "./legacy-ids";
export {
  NatProvider,
  NatGatewayProvider,
  NatInstanceProvider,
  NAT_PLACEMENTS,
  NAT_MODES,
  NAT_INSTANCE_DEFAULTS,
  isArm64,
  natDeviceCount,
} from "./nat-provider";
export type { NatPlacement, NatMode, NatInstanceProps, NatDevice, NatDevicePlacement, NatDevicesOptions, NatRouteTarget, NatBilling, EgressIpDetail } from "./nat-provider";
export type { NetworkLookups } from "./nat-alarms";
export { NAT_INSTANCE_USER_DATA } from "./nat-instance-user-data";
export { PrivateLambda, LAMBDA_DEFAULTS, NODE_RUNTIMES, VPC_ACCESS_ACTIONS, validateLambdaProps } from "./private-lambda";
export type { PrivateLambdaProps, DatabaseAccessProps } from "./private-lambda";
export { EgressCanary, EGRESS_CANARY_DEFAULTS, EGRESS_CANARY_METRICS, rateSeconds } from "./egress-canary";
export type { EgressCanaryProps } from "./egress-canary";
export { GuardRunTask } from "./guard-run-task";
export type { GuardRunTaskProps } from "./guard-run-task";
export { LambdaCode, findProjectRoot } from "./lambda-code";
export type { EntryOptions } from "./lambda-code";
export { bundleNodeFunction, defaultBundleDir, esbuildTarget, DEFAULT_EXTERNAL } from "./bundle";
export type { Bundle, BundleOptions } from "./bundle";
export { rolePrefix } from "./names";
export { ValidationError } from "./errors";
export type { Problem } from "./errors";
export { LOG_RETENTION_DAYS, LAMBDA_LIMITS, awsIdPattern } from "./validate";
export { parseCidr, contains, overlaps, freeBlock, formatIpv4 } from "./cidr";
export type { Ipv4Range } from "./cidr";
