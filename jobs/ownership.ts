/**
 * Who else owns a resource make adopt would import: another fixed-egress network (the marker tag every adopted
 * resource carries, or a created resource's Project and Stack tags), or another tool (a table of the tags
 * those tools put on what they own). A resource in two owners' hands is changed or deleted by either.
 */
import type { Tag } from "@aws-sdk/client-ec2";
import { ADOPTION_MARKER_TAG } from "@fixed-egress/constructs";
import { PROJECT } from "../stacks/wiring";

/** Tags other tools put on what they own, what that owner is called, and how to take the resource from it. */
export const OTHER_OWNERS: readonly { key: string; owner: (value: string) => string; fix: string }[] = [
  {
    key: "aws:cloudformation:stack-name",
    owner: (v) => `CloudFormation stack "${v}"`,
    fix: "take it out of that stack first (DeletionPolicy: Retain on it, update the stack, then remove it from the template and update again)",
  },
  {
    key: "aws:servicecatalog:provisionedProductArn",
    owner: (v) => `Service Catalog provisioned product ${v}`,
    fix: "take it out of that product's CloudFormation stack first (DeletionPolicy: Retain, then remove it from the template)",
  },
  {
    key: "elasticbeanstalk:environment-name",
    owner: (v) => `Elastic Beanstalk environment "${v}"`,
    fix: "move the environment off it or terminate the environment first",
  },
];

export interface OwnedResource {
  /** "subnet subnet-0abc (private-a)" */
  readonly what: string;
  readonly tags?: Tag[];
}

/** One sentence per resource someone else owns; empty when `name` may adopt them all. */
export function ownershipProblems(resources: OwnedResource[], name: string): string[] {
  const problems: string[] = [];
  for (const { what, tags } of resources) {
    const tag = (key: string) => tags?.find((t) => t.Key === key)?.Value;
    const marker = tag(ADOPTION_MARKER_TAG);
    if (marker !== undefined && marker !== name) {
      problems.push(`${what} was adopted by the fixed-egress network "${marker}" (its ${ADOPTION_MARKER_TAG} tag); a resource in two states is changed or deleted by either: deploy "${marker}"'s config instead, or destroy "${marker}" first (it forgets what it adopted), then run make adopt again`);
      continue;
    }
    const stack = tag("Stack");
    if (marker === undefined && tag("Project") === PROJECT && stack !== undefined && stack !== `${name}-network`) {
      problems.push(`${what} is managed by fixed-egress stack ${stack} (its Project and Stack tags); a resource in two states is destroyed by either: deploy that environment's config instead, or remove it from that stack's state first (terraform state rm)`);
      continue;
    }
    for (const other of OTHER_OWNERS) {
      const value = tag(other.key);
      if (value !== undefined) problems.push(`${what} belongs to ${other.owner(value)} (its ${other.key} tag), which would change it back or delete it with itself; ${other.fix}, then run make adopt again`);
    }
  }
  return problems;
}
