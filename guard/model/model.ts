/**
 * The egress model and its comparison: for each subnet, where each public destination leaves and from which
 * addresses, before and after; every piece whose exit differs (or was interrupted by a replacement) is an
 * egress change. Only subnets that were private before (some public destination left through a NAT device)
 * are compared; new subnets bring no change of today's egress (their addresses show in the egress IP list).
 */
import { Exit, ExitFinder, Piece, isNatExit } from "./exits";
import { Network } from "./network";
import { Range, cidrsOf, parseCidr, publicSpace, split } from "./ranges";
import { World, isUnknown } from "./world";

export interface SubnetModel {
  readonly pieces: Piece[];
  /** the subnet's own resources on every path: the subnet, its table and ACL associations */
  readonly own: ReadonlySet<string>;
}
export type EgressModel = Map<string, SubnetModel>;

const keys = new WeakMap<Exit, string>();
const keyOf = (e: Exit) => {
  let k = keys.get(e);
  if (k === undefined) keys.set(e, (k = `${e.kind}\u0000${e.device ?? ""}\u0000${(e.ips ?? []).join(",")}\u0000${e.path ?? ""}\u0000${(e.overlays ?? []).join(";")}`));
  return k;
};

/** Adjacent pieces with the same exit become one. */
function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces.sort((a, b) => a.range[0] - b.range[0])) {
    const last = out[out.length - 1];
    if (last && last.key === p.key && last.range[1] + 1 === p.range[0]) out[out.length - 1] = { ...last, range: [last.range[0], p.range[1]], deps: last.deps === p.deps ? p.deps : new Set([...last.deps, ...p.deps]) };
    else out.push(p);
  }
  return out;
}

/** The destinations a review compares: the public IPv4 space, or the part of it given (`--destinations`). */
export function universeOf(destinations?: readonly string[]): Range[] {
  if (!destinations || destinations.length === 0) return publicSpace();
  return publicSpace(destinations.map((d) => parseCidr(d.includes("/") ? d : `${d}/32`)!));
}

/** Every id either world holds: an id in neither is outside the plan. */
export function knownIds(...worlds: World[]): Set<string> {
  const out = new Set<string>();
  for (const w of worlds) for (const i of w.items) if (typeof i.values.id === "string") out.add(i.values.id);
  return out;
}

/** Every IPv4 address: the model is computed over all of it, and compared on the universe (public, or --destinations). */
const EVERY_ADDRESS: Range[] = [[0, 2 ** 32 - 1]];

export function egressModel(world: World, before: World, known: ReadonlySet<string>): EgressModel {
  const net = new Network(world, before);
  const finder = new ExitFinder(net, known);
  const cache = new Map<string, Piece[]>();
  const model: EgressModel = new Map();
  for (const subnet of net.subnets.keys()) {
    const own = new Set<string>();
    const s = net.subnets.get(subnet)!;
    if (s.address) own.add(s.address);
    const table = finder.tableOf(subnet, own);
    // Subnets that share a table, an ACL and a range share their pieces.
    const acl = net.aclOfSubnet.get(subnet);
    if (acl) own.add(acl.address);
    const cacheKey = `${table}|${acl?.acl ?? ""}|${s.vpc ?? ""}|${s.cidr?.join("-") ?? subnet}`;
    let pieces = cache.get(cacheKey);
    if (!pieces) {
      const deps = new Set<string>();
      const routes = finder.routesOf(table, deps);
      const overlays = routes.filter((r) => r.dest === "unknown").map((r) => `${r.destText} → ${r.targetKind} ${r.target}`).sort();
      routes.filter((r) => r.dest === "unknown").forEach((r) => deps.add(r.address));
      const ranges = split(EVERY_ADDRESS, finder.cutsFor(subnet));
      // Pieces that take the same route are evaluated together.
      const byRoute = new Map<string, { route: ReturnType<typeof ExitFinder.routeFor>; ranges: Range[] }>();
      for (const r of ranges) {
        const route = isUnknown(table) ? undefined : ExitFinder.routeFor(routes, r);
        const k = route ? `${route.address} ${route.destText}` : "";
        const group = byRoute.get(k) ?? byRoute.set(k, { route, ranges: [] }).get(k)!;
        group.ranges.push(r);
      }
      pieces = [];
      for (const { route, ranges: rs } of byRoute.values()) {
        const found = isUnknown(table) ? rs.map((range) => ({ range, exit: { kind: "unknown" } as Exit, deps })) : finder.exitsVia(subnet, route, rs, new Set(deps));
        for (const f of found) {
          const exit: Exit = overlays.length > 0 ? { ...f.exit, overlays } : f.exit;
          pieces.push({ range: f.range, exit, key: keyOf(exit), deps: f.deps });
        }
      }
      pieces = merge(pieces);
      cache.set(cacheKey, pieces);
    }
    model.set(subnet, { pieces, own });
  }
  return model;
}

export const isPrivate = (m: SubnetModel | undefined) => (m?.pieces ?? []).some((p) => isNatExit(p.exit));
/** Every resource on a subnet's paths. */
export const depsOf = (m: SubnetModel) => new Set([...m.own, ...m.pieces.flatMap((p) => [...p.deps])]);

export interface EgressChange {
  readonly subnet: string;
  /** the destinations whose exit changes, as CIDRs */
  readonly destinations: string[];
  readonly from: Exit;
  readonly to: Exit;
  /** resources on the path before or after */
  readonly deps: ReadonlySet<string>;
}

const GONE: Exit = { kind: "none", path: "the subnet no longer exists" };

/**
 * The same NAT device, sending from the same addresses, whose way out stops being broken (an instance stopped
 * outside Terraform started again, a deleted route put back): egress comes back as it was, which is no change.
 */
const repairs = (from: Exit, to: Exit) =>
  isNatExit(from) && from.path !== "ok" && to.kind === from.kind && to.path === "ok" && to.device === from.device && (to.ips ?? []).join() === (from.ips ?? []).join();

/** A NAT exit whose path (before or after) holds a resource the plan replaces or stops: egress through it stops meanwhile. */
function interrupted(from: Piece, to: Piece | undefined, own: ReadonlySet<string>, stopping: ReadonlyMap<string, string>): Piece | undefined {
  if (!to || stopping.size === 0 || !isNatExit(from.exit)) return to;
  const stops = [...new Set([...from.deps, ...to.deps, ...own])].filter((d) => stopping.has(d)).sort();
  if (stops.length === 0) return to;
  const exit: Exit = { ...to.exit, path: `${to.exit.path ?? "ok"}; interrupted while ${stops.map((d) => `${d} ${stopping.get(d)}`).join(", ")}` };
  return { ...to, exit, key: keyOf(exit) };
}

/** Every destination of a subnet that was private before whose exit differs after, or is interrupted on the way. */
export function diffModels(before: EgressModel, after: EgressModel, universe: readonly Range[], stopping: ReadonlyMap<string, string> = new Map()): EgressChange[] {
  const out: EgressChange[] = [];
  for (const [subnet, b] of before) {
    if (!isPrivate(b)) continue;
    const a = after.get(subnet);
    const edges = [...b.pieces, ...(a?.pieces ?? [])].map((p) => p.range);
    const own = new Set([...b.own, ...(a?.own ?? [])]);
    const grouped = new Map<string, { ranges: Range[]; from: Piece; to?: Piece }>();
    for (const r of split(universe, edges)) {
      const from = b.pieces.find((p) => p.range[0] <= r[0] && r[1] <= p.range[1]);
      if (!from) continue;
      const to = interrupted(from, a?.pieces.find((p) => p.range[0] <= r[0] && r[1] <= p.range[1]), own, stopping);
      if (to && (to.key === from.key || repairs(from.exit, to.exit))) continue;
      const k = `${from.key} ${to?.key ?? "gone"}`;
      const g = grouped.get(k) ?? { ranges: [], from, to };
      g.ranges.push(r);
      grouped.set(k, g);
    }
    for (const g of grouped.values()) {
      out.push({ subnet, destinations: g.ranges.flatMap(cidrsOf), from: g.from.exit, to: g.to?.exit ?? GONE, deps: new Set([...g.from.deps, ...(g.to?.deps ?? []), ...own]) });
    }
  }
  return out;
}
