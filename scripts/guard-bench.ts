/**
 * The guard's speed on large plans, for `npm run bench`: a synthetic plan of N resources (networks of three
 * zones, each NAT Gateway on its Elastic IP, every resource's tags changed in place) reviewed by the packed
 * command (guard/dist/cli.js), median wall time of BENCH_RUNS runs.
 * Usage: tsx scripts/guard-bench.ts [resources…]   (default 10000 50000)
 */
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

type Res = { address: string; mode: "managed"; type: string; values: Record<string, unknown> };

/** One three-zone network, 28 resources, its ids and addresses suffixed by n. */
function network(n: number): Res[] {
  const r = (type: string, name: string, values: Record<string, unknown>): Res => ({ address: `module.net${n}.${type}.${name}`, mode: "managed", type, values: { ...values, tags: { Name: `${name}-${n}` } } });
  const vpc = `vpc-${n}`;
  const out = [r("aws_vpc", "this", { id: vpc, cidr_block: "10.0.0.0/16", main_route_table_id: `rtb-main-${n}` }), r("aws_internet_gateway", "this", { id: `igw-${n}`, vpc_id: vpc })];
  out.push(r("aws_route_table", "public", { id: `rtb-pub-${n}`, vpc_id: vpc, route: [{ cidr_block: "0.0.0.0/0", gateway_id: `igw-${n}` }] }), r("aws_route", "public", { route_table_id: `rtb-pub-${n}`, destination_cidr_block: "0.0.0.0/0", gateway_id: `igw-${n}` }));
  for (const z of [0, 1, 2]) {
    const pub = `subnet-pub-${n}-${z}`;
    const priv = `subnet-priv-${n}-${z}`;
    out.push(
      r("aws_subnet", `public[${z}]`, { id: pub, vpc_id: vpc, cidr_block: `10.0.${z}.0/24` }),
      r("aws_subnet", `private[${z}]`, { id: priv, vpc_id: vpc, cidr_block: `10.0.${10 + z}.0/24` }),
      r("aws_route_table_association", `public[${z}]`, { subnet_id: pub, route_table_id: `rtb-pub-${n}` }),
      r("aws_route_table", `private[${z}]`, { id: `rtb-priv-${n}-${z}`, vpc_id: vpc, route: [{ cidr_block: "0.0.0.0/0", nat_gateway_id: `nat-${n}-${z}` }] }),
      r("aws_route", `private[${z}]`, { route_table_id: `rtb-priv-${n}-${z}`, destination_cidr_block: "0.0.0.0/0", nat_gateway_id: `nat-${n}-${z}` }),
      r("aws_route_table_association", `private[${z}]`, { subnet_id: priv, route_table_id: `rtb-priv-${n}-${z}` }),
      r("aws_nat_gateway", `this[${z}]`, { id: `nat-${n}-${z}`, subnet_id: pub, allocation_id: `eipalloc-${n}-${z}`, connectivity_type: "public", secondary_allocation_ids: [] }),
      r("aws_eip", `nat[${z}]`, { id: `eipalloc-${n}-${z}`, allocation_id: `eipalloc-${n}-${z}`, public_ip: `198.${18 + (n % 2)}.${(n >> 1) % 256}.${z}` }),
    );
  }
  return out;
}

/**
 * A plan of about `count` resources, every one of them retagged in place; with `reaching`, each network also
 * gains a peering route for a private range in one private table, so both egress models are computed.
 */
export function largePlan(count: number, reaching = false): object {
  const resources = Array.from({ length: Math.ceil(count / 28) }, (_, n) => network(n)).flat();
  const byModule = new Map<string, Res[]>();
  for (const x of resources) {
    const m = x.address.split(".").slice(0, 2).join(".");
    byModule.set(m, [...(byModule.get(m) ?? []), x]);
  }
  const root = { resources: [], child_modules: [...byModule].map(([address, rs]) => ({ address, resources: rs })) };
  return {
    format_version: "1.2",
    prior_state: { values: { root_module: root } },
    planned_values: { root_module: root },
    resource_changes: [
      ...resources.map((x) => ({ address: x.address, mode: "managed", type: x.type, change: { actions: ["update"], before: x.values, after: { ...x.values, tags: { ...(x.values.tags as object), Team: "db" } }, after_unknown: {} } })),
      ...(reaching ? resources.filter((x) => x.address.endsWith("aws_route_table.private[0]")).map((t) => ({ address: `${t.address.replace(/aws_route_table.*/, "")}aws_route.peer`, mode: "managed", type: "aws_route", change: { actions: ["create"], before: null, after: { route_table_id: t.values.id, destination_cidr_block: "172.16.0.0/16", vpc_peering_connection_id: "pcx-1" }, after_unknown: { id: true } } })) : []),
    ],
  };
}

/** Median seconds of the packed guard reviewing a plan of `count` resources. */
export function reviewSeconds(count: number, runs: number, reaching = false, cli = join(__dirname, "..", "guard", "dist", "cli.js")): { seconds: number; megabytes: number } {
  const dir = mkdtempSync(join(tmpdir(), "fx-guard-bench-"));
  const file = join(dir, `large-${count}.plan.json`);
  const text = JSON.stringify(largePlan(count, reaching));
  writeFileSync(file, text);
  const times = Array.from({ length: runs }, () => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, "review", "--format", "json", file], { encoding: "utf8", maxBuffer: 1 << 30 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`the guard exited ${r.status} on the ${count}-resource plan: ${r.stderr.slice(0, 500)}`);
    return Number(process.hrtime.bigint() - t) / 1e9;
  }).sort((a, b) => a - b);
  return { seconds: times[Math.floor(runs / 2)], megabytes: text.length / 2 ** 20 };
}

if (require.main === module) {
  const counts = process.argv.slice(2).map(Number);
  for (const n of counts.length > 0 ? counts : [10000, 50000]) {
    for (const reaching of [false, true]) {
      const r = reviewSeconds(n, Number(process.env.BENCH_RUNS ?? 3), reaching);
      process.stdout.write(`guard review, ${n} resources (${r.megabytes.toFixed(0)} MB plan${reaching ? ", a route added per network" : ", tags only"}): ${r.seconds.toFixed(2)} s\n`);
    }
  }
}
