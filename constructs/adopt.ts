import { TerraformResource, Token } from "cdktf";
import { importInto } from "./address-blocks";
import { Problems, awsIdPattern, checkPattern } from "./validate";

/**
 * The tag every adopted resource carries, set on the resource itself (existing tags and default tags cannot hide
 * it), its value the network's `name`: which fixed-egress network adopted it.
 */
export const ADOPTION_MARKER_TAG = "fixed-egress:network";

/** An existing resource to bring under management by a Terraform import block. */
export interface AdoptedResource {
  /** its AWS id (subnet-…, rtb-…, nat-…) */
  readonly id: string;
  /** the tags it has today: kept as they are; only the tags this construct adds are new. @default {} */
  readonly tags?: Record<string, string>;
}

export interface AdoptedRouteTable extends AdoptedResource {
  /**
   * The VPC's main route table. Its 0.0.0.0/0 route is managed; the table itself, and the subnets that use it
   * implicitly, are left as they are (AWS deletes it only with the VPC). @default false
   */
  readonly main?: boolean;
}

/** An Elastic IP an adopted NAT Gateway holds besides its primary one. */
export interface AdoptedAddress {
  /** its allocation (eipalloc-…), imported: the address stays on the gateway */
  readonly allocationId: string;
  /** its tags today. @default {} */
  readonly tags?: Record<string, string>;
}

export interface AdoptedNatGateway extends AdoptedResource {
  /** the allocation of its primary Elastic IP (AWS marks it IsPrimary), imported too: the egress IP stays */
  readonly allocationId: string;
  /** the Elastic IP's tags today. @default {} */
  readonly eipTags?: Record<string, string>;
  /** its secondary Elastic IPs, every one kept (each is an egress IP). @default [] */
  readonly secondaryAddresses?: AdoptedAddress[];
}

/**
 * A network built by hand, adopted as it is. Lists run in `availabilityZones` order; a route table used
 * by several subnets appears once per subnet and stays one shared table.
 */
export interface AdoptedNetwork {
  /**
   * one per AZ; `null` where the zone has no public subnet: a new one is created there (with one NAT device
   * nothing routes through it; the NAT devices' own subnets must be adopted ones)
   */
  readonly publicSubnets: (AdoptedResource | null)[];
  /** one per AZ */
  readonly privateSubnets: AdoptedResource[];
  /** the route table each public subnet uses, one per AZ */
  readonly publicRouteTables: AdoptedRouteTable[];
  /** the route table each private subnet uses, one per AZ */
  readonly privateRouteTables: AdoptedRouteTable[];
  /** one per NAT device (`natPlacement` "single": one; "perAz": one per AZ) */
  readonly natGateways: AdoptedNatGateway[];
}


/** Terraform's import id of a route: `<route table id>_<destination>`. */
export const routeImportId = (routeTableId: string, destination = "0.0.0.0/0") => `${routeTableId}_${destination}`;

/** Adds an import block to `resource` when there is an id to import it from. */
export function adoptInto<T extends TerraformResource>(resource: T, importId: string | undefined): T {
  if (importId !== undefined) importInto(resource, importId);
  return resource;
}

const tagProblems = (p: Problems, field: string, tags: Record<string, string> | undefined) => {
  for (const key of Object.keys(tags ?? {})) {
    if (key.startsWith("aws:")) p.add(`${field}.${key}`, "is a tag key AWS reserves (aws:…); remove it, AWS keeps it on the resource anyway");
  }
};

/**
 * Every problem with `adopt`, given the rest of the props: ids, one entry per AZ or device, tables that
 * can be shared, and what the NAT provider can adopt (`natAdoptionProblem`).
 */
export function checkAdoption(
  p: Problems,
  adopt: AdoptedNetwork,
  o: { existingVpcId?: string; azCount: number; deviceCount: number; perAz: boolean; eipAllocationIds?: string[]; natAdoptionProblem?: string },
): void {
  const lists = ["publicSubnets", "privateSubnets", "publicRouteTables", "privateRouteTables", "natGateways"] as const;
  for (const k of lists) {
    if (!Array.isArray(adopt[k])) {
      p.add(`adopt.${k}`, "is missing; give one entry per availability zone (natGateways: per NAT device), in availabilityZones order");
      return;
    }
    if (Token.isUnresolved(adopt[k])) {
      p.add(`adopt.${k}`, "is a Terraform token; adopted resources are listed as values, one per availability zone");
      return;
    }
  }
  if (o.existingVpcId === undefined) p.add("adopt", "is set without existingVpcId; adopted resources live in an existing VPC: set existingVpcId to it");
  if (o.eipAllocationIds !== undefined) p.add("eipAllocationIds", "is set with adopt; adopted NAT Gateways keep their own Elastic IPs (adopt.natGateways[].allocationId): drop eipAllocationIds");
  if (o.natAdoptionProblem) p.add("natProvider", o.natAdoptionProblem);
  adopt.publicSubnets.slice(0, o.deviceCount).forEach((s, i) => {
    if (s === null) p.add(`adopt.publicSubnets[${i}]`, `is null, but NAT device ${i} sits in that zone's public subnet (adopt.natGateways[${i}]); give the subnet the NAT Gateway is in`);
  });
  const perAzLists = [
    ["publicSubnets", "subnet"],
    ["privateSubnets", "subnet"],
    ["publicRouteTables", "rtb"],
    ["privateRouteTables", "rtb"],
  ] as const;
  for (const [k, prefix] of perAzLists) {
    const list = adopt[k] as (AdoptedResource | null)[];
    if (list.length !== o.azCount) p.add(`adopt.${k}`, `has ${list.length} entr${list.length === 1 ? "y" : "ies"} for ${o.azCount} availability zone(s); give exactly one per availability zone, in the same order`);
    list.forEach((r, i) => {
      if (r === null) return; // a public subnet to create (checked above)
      checkPattern(p, `adopt.${k}[${i}].id`, r.id, awsIdPattern(prefix), `give an id such as "${prefix}-0a1b2c3d4e5f67890"`);
      tagProblems(p, `adopt.${k}[${i}].tags`, r.tags);
    });
  }
  for (const k of ["publicSubnets", "privateSubnets"] as const) {
    (adopt[k] as (AdoptedResource | null)[]).forEach((s, i) => {
      if (s === null) return;
      const first = [...adopt.publicSubnets, ...adopt.privateSubnets].findIndex((x) => x?.id === s.id);
      const at = first < adopt.publicSubnets.length ? `publicSubnets[${first}]` : `privateSubnets[${first - adopt.publicSubnets.length}]`;
      if (at !== `${k}[${i}]`) p.add(`adopt.${k}[${i}].id`, `"${s.id}" is already adopt.${at}; each subnet is public or private, once`);
    });
  }
  const publicIds = new Set(adopt.publicRouteTables.map((t) => t.id));
  adopt.privateRouteTables.forEach((t, i) => {
    if (publicIds.has(t.id)) p.add(`adopt.privateRouteTables[${i}].id`, `"${t.id}" is also a public route table; a table sends 0.0.0.0/0 either to the Internet Gateway or to a NAT, so give the private subnets their own table`);
    const first = adopt.privateRouteTables.findIndex((x) => x.id === t.id);
    if (first !== i && o.perAz) {
      p.add(`adopt.privateRouteTables[${i}].id`, `"${t.id}" is shared with privateRouteTables[${first}], but natPlacement "perAz" points each AZ's table at its own NAT Gateway; give each private subnet its own table, or use natPlacement "single"`);
    }
  });
  for (const k of ["publicRouteTables", "privateRouteTables"] as const) {
    adopt[k].forEach((t, i) => {
      const first = adopt[k].find((x) => x.id === t.id)!;
      if (Boolean(first.main) !== Boolean(t.main)) p.add(`adopt.${k}[${i}].main`, `disagrees with an earlier entry of the same table "${t.id}"; a table is the VPC's main route table or not`);
    });
  }
  if (adopt.natGateways.length !== o.deviceCount) {
    p.add("adopt.natGateways", `has ${adopt.natGateways.length} NAT Gateway(s) for ${o.deviceCount} NAT device(s); give exactly ${o.deviceCount}, one per device (natPlacement "single": one; "perAz": one per availability zone)`);
  }
  adopt.natGateways.forEach((n, i) => {
    checkPattern(p, `adopt.natGateways[${i}].id`, n.id, awsIdPattern("nat"), 'give an id such as "nat-0a1b2c3d4e5f67890"');
    checkPattern(p, `adopt.natGateways[${i}].allocationId`, n.allocationId, awsIdPattern("eipalloc"), 'give the allocation id of its Elastic IP, such as "eipalloc-0a1b2c3d4e5f67890"');
    tagProblems(p, `adopt.natGateways[${i}].tags`, n.tags);
    tagProblems(p, `adopt.natGateways[${i}].eipTags`, n.eipTags);
    (n.secondaryAddresses ?? []).forEach((a, k) => {
      const field = `adopt.natGateways[${i}].secondaryAddresses[${k}]`;
      checkPattern(p, `${field}.allocationId`, a.allocationId, awsIdPattern("eipalloc"), 'give the allocation id of a secondary Elastic IP, such as "eipalloc-0a1b2c3d4e5f67890"');
      if (a.allocationId === n.allocationId) p.add(`${field}.allocationId`, `"${a.allocationId}" is the gateway's primary allocation; list only its other addresses here`);
      tagProblems(p, `${field}.tags`, a.tags);
    });
  });
}
