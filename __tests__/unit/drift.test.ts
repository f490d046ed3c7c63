/** The guard's drift review of a refresh-only plan: only what the configuration sets counts, egress first. */
import { renderDriftMarkdown, reviewDrift } from "@fixed-egress/guard";
import type { PlanJson } from "@fixed-egress/guard";
import { TODAY, planOf } from "../helpers/plans";

const drift = (address: string, type: string, before: Record<string, unknown>, after: Record<string, unknown> | null) => ({
  address,
  type,
  mode: "managed",
  change: { actions: [after ? "update" : "delete"], before, after },
});

/** A refresh-only plan: the refreshed state (today's network without what drifted away), the drift, the configuration. */
function plan(resourceDrift: ReturnType<typeof drift>[], expressions: Record<string, Record<string, unknown>>, module?: string): PlanJson {
  const resources = Object.entries(expressions).map(([address, e]) => ({ address, expressions: e }));
  const gone = resourceDrift.filter((d) => !d.change.after).map((d) => d.address);
  return {
    format_version: "1.2",
    prior_state: planOf({ prior: TODAY.filter((r) => !gone.includes(r.address)) }).prior_state,
    resource_changes: [],
    resource_drift: resourceDrift,
    configuration: { root_module: module ? { module_calls: { [module]: { module: { resources } } } } : { resources } },
  };
}

describe("drift", () => {
  const route = { route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" };
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
    const d = reviewDrift(p, "s");
    expect(d.drifted).toEqual([]);
    expect(renderDriftMarkdown([d])).toBe("No drift: every resource is as Terraform last left it.\n");
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
    const d = reviewDrift(p, "demo-network");
    expect(d.drifted.map((x) => `${x.address} ${x.what}`)).toEqual(["aws_route_table.priv changed", "aws_instance.nat changed", "aws_route.priv deleted"]);
    expect(d.findings.map((f) => f.rule)).toEqual(["private-default-route-changed"]);
    expect(renderDriftMarkdown([d]).split("\n").slice(0, 3)).toEqual([
      "Drift: 3 resource(s) changed outside Terraform (egress first):",
      "- EGRESS demo-network: aws_route.priv was deleted outside Terraform: the private subnets behind it lose the route to NAT nat-111.",
      "- demo-network: aws_route_table.priv was changed outside Terraform",
    ]);
  });

  it("reads the configuration of resources inside modules, without their instance keys", () => {
    const p = plan([drift("module.net.aws_route_table.priv[0]", "aws_route_table", { id: "rtb-priv", route: [], tags: { Name: "private" } }, { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0" }], tags: { Name: "private" } })], { "aws_route_table.priv": config["aws_route_table.priv"] }, "net");
    expect(reviewDrift(p, "s").drifted).toEqual([]);
  });
});

describe("drift of a route an aws_route manages", () => {
  it("is the route's alone: the table's computed route list, which repeats it, is not listed", () => {
    const table = { id: "rtb-priv", route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" }] };
    const prior = [...TODAY.filter((r) => r.address !== "aws_route.priv" && r.address !== "aws_route_table.priv"), { address: "aws_route_table.priv", type: "aws_route_table", values: { ...table, route: [] } }];
    const p = {
      ...planOf({ prior }),
      resource_drift: [
        drift("aws_route.priv", "aws_route", { id: "r-1", route_table_id: "rtb-priv", destination_cidr_block: "0.0.0.0/0", nat_gateway_id: "nat-111" }, null),
        drift("aws_route_table.priv", "aws_route_table", table, { ...table, route: [] }),
      ],
      configuration: { root_module: { resources: [] } },
    } as PlanJson;
    const d = reviewDrift(p, "s");
    expect(d.drifted.map((x) => `${x.address} ${x.what}`)).toEqual(["aws_route.priv deleted"]);
    expect(d.findings.map((f) => `${f.rule} ${f.address}`)).toEqual(["private-default-route-changed aws_route.priv"]);
  });
});
