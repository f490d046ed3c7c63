// IAM allows 38 characters of name_prefix (64 minus Terraform's 26-character unique suffix).
const ROLE_PREFIX_MAX = 38;

/**
 * An IAM role name prefix, `<base>-<suffix>-`, that Terraform completes with a unique suffix: IAM role names
 * are global to the account, so a fixed name collides when the same environment is deployed to a second region.
 */
export function rolePrefix(base: string, suffix: string): string {
  return `${base.slice(0, ROLE_PREFIX_MAX - suffix.length - 2)}-${suffix}-`;
}
