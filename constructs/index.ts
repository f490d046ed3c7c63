export { FixedEgressNetwork, NAT_MODES, DEFAULT_VPC_CIDR, validateNetworkProps } from "./fixed-egress-network";
export type { FixedEgressNetworkProps, FlowLogsProps, IPrivateNetwork, NatMode } from "./fixed-egress-network";
export { PrivateLambda, VPC_ACCESS_POLICY_ARN, validateLambdaProps } from "./private-lambda";
export type { PrivateLambdaProps, DatabaseAccessProps, LambdaCodeProps } from "./private-lambda";
export { bundleNodeFunction } from "./bundle";
export type { Bundle, BundleOptions } from "./bundle";
export { ValidationError } from "./errors";
export type { Problem } from "./errors";
export { LOG_RETENTION_DAYS, LAMBDA_LIMITS } from "./validate";
