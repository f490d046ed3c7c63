/** make drift's reading of a refresh-only plan: what the config sets, egress first. */
import { driftOf, renderDrift } from "../../scripts/drift";
import type { PlanJson } from "../../scripts/plan-review";

const drift = (address: string, type: string, before: Record<string, unknown>, after: Record<string, unknown> | null) => ({
  address,
  type,
  mode: "managed",
  change: { actions: [after ? "update" : "delete"], before, after },
});

function plan(resourceDrift: ReturnType<typeof drift>[], expressions: Record<string, Record<string, unknown>>): PlanJson {
  return {
    format_version: "1.2",
    resource_changes: [],
    resource_drift: resourceDrift,
    configuration: { root_module: { resources: Object.entries(expressions).map(([address, e]) => ({ address, expressions: e })) } },
  };
}

describe("drift", () => {
  const route = { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-1" };
  const config = {
    "aws_route.priv": { route_table_id: { references: ["x"] }, destination_cidr_block: { constant_value: "0.0.0.0/0" }, nat_gateway_id: { references: ["y"] } },
    "aws_route_table.priv": { vpc_id: { references: ["v"] }, tags: { constant_value: { Name: "private" } } },
    "aws_instance.nat": { root_block_device: [{ encrypted: { constant_value: true }, volume_size: { constant_value: 8 } }] },
  };

  it("ignores what a refresh fills in that the config never sets (routes list, computed block fields)", () => {
    const p = plan(
      [
        drift("aws_route_table.priv", "aws_route_table", { id: "rtb-priv", route: [], tags: { Name: "private" } }, { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0" }], tags: { Name: "private" } }),
        drift("aws_instance.nat", "aws_instance", { root_block_device: [{ encrypted: true, volume_size: 8, tags: null }] }, { root_block_device: [{ encrypted: true, volume_size: 8, tags: {} }] }),
      ],
      config,
    );
    expect(driftOf(p, "s")).toEqual([]);
    expect(renderDrift([])).toBe("No drift: every resource is as Terraform last left it.");
  });

  it("reports a changed value the config sets, nested blocks included, and a deleted resource, egress first", () => {
    const p = plan(
      [
        drift("aws_route_table.priv", "aws_route_table", { id: "rtb-priv", tags: { Name: "private" } }, { id: "rtb-priv", tags: { Name: "renamed" } }),
        drift("aws_instance.nat", "aws_instance", { root_block_device: [{ encrypted: true, volume_size: 8 }] }, { root_block_device: [{ encrypted: true, volume_size: 16 }] }),
        drift("aws_route.priv", "aws_route", route, null),
      ],
      config,
    );
    const found = driftOf(p, "demo-network");
    expect(found.map((d) => `${d.address} ${d.what} ${d.egress ?? ""}`.trim())).toEqual([
      "aws_route.priv deleted the private subnets behind it lose the route to NAT nat-1.",
      "aws_route_table.priv changed",
      "aws_instance.nat changed",
    ]);
    expect(renderDrift(found).split("\n")[1]).toBe("- EGRESS demo-network: aws_route.priv was deleted outside Terraform: the private subnets behind it lose the route to NAT nat-1.");
  });
});
