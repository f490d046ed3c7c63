/**
 * Terraform's `import` and `moved` blocks of one resource, written as `TerraformResource.importFrom` and
 * `moveFromId` write them (the stack's JSON, its HCL and its metadata), without the check each adds: a shell that
 * runs `terraform version` at every synth (importFrom: once per imported resource; a moved block: once per stack).
 * Terraform checks the version itself: before 1.5 it refuses both blocks.
 */
import { TerraformElement, TerraformResource } from "cdktf";

const reference = (value: string) => ({ value, isBlock: false, type: "simple", storageClassType: "reference" });
const addressOf = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;

/** One block about `target`, a child of it: what it adds to the stack's JSON, HCL and metadata. */
class AddressBlock extends TerraformElement {
  constructor(
    private readonly target: TerraformResource,
    id: string,
    private readonly block: { readonly kind: "import"; readonly importId: string } | { readonly kind: "moved"; readonly from: string },
  ) {
    super(target, id);
  }

  public toTerraform() {
    const to = addressOf(this.target);
    return this.block.kind === "import" ? { import: [{ id: this.block.importId, to }] } : { moved: [{ to, from: this.block.from }] };
  }

  public toHclTerraform() {
    const to = addressOf(this.target);
    return this.block.kind === "import"
      ? { import: [{ to: { value: to, type: "simple", storageClassType: "reference" }, id: { value: this.block.importId, type: "simple", storageClassType: "string" } }] }
      : { moved: [{ to: reference(to), from: reference(this.block.from) }] };
  }

  public toMetadata() {
    return { [this.block.kind === "import" ? "imports" : "moved"]: { [this.target.terraformResourceType]: [this.target.friendlyUniqueId] } };
  }
}

/** An `import` block: `resource` is imported from `importId` (`importFrom`'s block). */
export function importInto(resource: TerraformResource, importId: string): void {
  new AddressBlock(resource, "import-block", { kind: "import", importId });
}

/** A `moved` block: `resource` was at address `from` (`moveFromId`'s block). */
export function moveFrom(resource: TerraformResource, from: string): void {
  new AddressBlock(resource, "moved-block", { kind: "moved", from });
}
