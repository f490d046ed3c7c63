import { Construct } from "constructs";
import { TerraformResource, TerraformStack } from "cdktf";
import { moveFrom } from "./address-blocks";

/**
 * Adds a `moved` block from the address `resource` had when its construct id was `legacyId` (a sibling in the
 * same scope): before 0.4.0 per-zone resources were keyed by list position (`subnet-0`), now by zone
 * (`subnet-ap-northeast-1a`), and a deployment of the old release must plan no change. The old address is
 * the stack's own naming of that path (`TerraformStack.getLogicalId` of a detached node with the same ids),
 * so a stack that names resources its own way gets its own old names.
 */
export function moveFromLegacyId(resource: TerraformResource, legacyId: string): void {
  if (legacyId === resource.node.id) return;
  const stack = TerraformStack.of(resource);
  const scopes = resource.node.scopes;
  const ids = [...scopes.slice(scopes.indexOf(stack) + 1, -1).map((s) => s.node.id), legacyId];
  let node: Construct = new Construct(undefined as unknown as Construct, ids[0]);
  for (const id of ids.slice(1)) node = new Construct(node, id);
  moveFrom(resource, `${resource.terraformResourceType}.${stack.getLogicalId(node.node)}`);
}
