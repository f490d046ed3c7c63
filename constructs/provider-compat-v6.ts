/**
 * provider-compat for aws 6 (the CDK Terrain entry, whose build puts this file in provider-compat's place): the
 * same functions, written the way aws 6 wants them. Compiled against aws 5's types, hence the casts.
 */
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

/** The region's name: aws 6 calls it `region` (its `name` is deprecated). */
export const regionNameOf = (region: DataAwsRegion): string => (region as unknown as { readonly region: string }).region;
