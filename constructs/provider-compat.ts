/**
 * What differs between the aws provider majors the library is built for. The cdktf entry (aws 5) uses this file;
 * the CDK Terrain entry (aws 6, `@fixed-egress/constructs/cdktn`) is generated with provider-compat-v6 in its place
 * (build-cdktn.js), so the constructs themselves are written once.
 */
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

/** The region's name: `name` on aws 5 (aws 6 deprecates it for `region`). */
export const regionNameOf = (region: DataAwsRegion): string => region.name;
