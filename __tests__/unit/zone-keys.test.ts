/**
 * Per-zone resources are keyed by zone since 0.4.0. Each fixture is what release 0.3.0 synthesized (ids by list
 * position); today's synthesis of the same props, read through its `moved` blocks, must be the same resources
 * with the same bodies, so a deployment of 0.3.0 plans no change. The emulator proves one of them by a real plan
 * (__tests__/e2e/nat-modes.test.ts).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { ADOPTION_MARKER_TAG, FixedEgressNetwork, FixedEgressNetworkProps, NatProvider } from "../../constructs";
import { loadConfig } from "../../stacks/config";
import { synthApp } from "../helpers/app";
import { LOCAL_CONFIG, ROOT } from "../helpers/config";
import { THREE_AZS, consoleAdoption, networkProps } from "../helpers/network-props";
import { Json, synthStack } from "../helpers/synth";

const fixture = (name: string): Json => JSON.parse(readFileSync(join(ROOT, "__tests__", "fixtures", "release-0.3", `${name}.json`), "utf8"));

/** The props each 0.3.0 fixture was synthesized from (natGateways: the name 0.3.0 knew). */
const VARIANTS: Record<string, Partial<FixedEgressNetworkProps>> = {
  "gateway-per-az": { ...THREE_AZS, natGateways: "perAz", flowLogs: {} },
  "instance-per-az": { natGateways: "perAz", natProvider: NatProvider.instance() },
  "brought-eips": { natGateways: "perAz", eipAllocationIds: ["eipalloc-0000000000000000a", "eipalloc-0000000000000000b"] },
  // What 0.3.0 synthesized for the console's adopted network (protected, as make adopt writes it).
  adopted: { ...consoleAdoption(), protectEgressIps: true },
};

/** A resource (or data) block without the given types, except those `keep` has too. */
function withoutTypes(block: Json | undefined, types: string[], keep: Json = {}): Json {
  return Object.fromEntries(Object.entries(block ?? {}).map(([type, byName]) => [type, types.includes(type) && !keep[type] ? undefined : byName]).filter(([, v]) => v !== undefined));
}

/** `old` with every resource address renamed through `moved` ("type.old" → "type.new"), references included. */
function throughMoves(old: Json, moved: { from: string; to: string }[]): Json {
  let text = JSON.stringify(old);
  for (const { from, to } of moved) {
    const [type, name] = from.split(".");
    // Whole names only: a name followed by "." (a reference) or a quote (a key).
    text = text.replace(new RegExp(`${type}\\.${name}(?=[."])`, "g"), to).replace(new RegExp(`"${name}"(?=:)`, "g"), `"${to.split(".")[1]}"`);
  }
  return JSON.parse(text);
}

/**
 * Resources by address, without what plans nothing: cdktf's metadata, depends_on, lifecycle, and the attributes
 * `ignoring` (today's synthesis) tells Terraform to ignore on the existing resource at that address.
 */
const resources = (j: Json, ignoring: Json = j) => {
  const ignored = (type: string, name: string) => (((ignoring.resource ?? {})[type]?.[name]?.lifecycle?.ignore_changes ?? []) as string[]);
  const out: Record<string, Json> = {};
  for (const [type, byName] of Object.entries((j.resource ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [name, body] of Object.entries(byName)) {
      const { "//": _meta, depends_on: _order, lifecycle: _guards, ...rest } = body;
      for (const key of ignored(type, name)) delete rest[key];
      out[`${type}.${name}`] = rest;
    }
  }
  return out;
};
/** What 0.4.0 adds to a network of 0.3.x, by type: a NAT instance's desired state and its self-repairing alarms. */
const ADDED = ["aws_ec2_instance_state", "aws_cloudwatch_metric_alarm", "data aws_region", "data aws_partition"];
/** Data sources by body, each once: their names and number may change freely (they hold no state of their own). */
const dataBodies = (j: Json) => [...new Set(Object.entries((j.data ?? {}) as Record<string, Record<string, Json>>).flatMap(([type, byName]) => Object.values(byName).map((b) => `${type} ${JSON.stringify({ ...b, "//": undefined })}`)))].sort();

function expectNoChangeFrom(old: Json, today: Json): { from: string; to: string }[] {
  const moved = (today.moved ?? []) as { from: string; to: string }[];
  const renamed = throughMoves(old, moved);
  // Since 0.4.0 each adopted resource carries the adopting network's marker tag: an in-place tag update, the one difference.
  const marked = JSON.parse(JSON.stringify(today).replace(new RegExp(`,?"${ADOPTION_MARKER_TAG}":"[a-z0-9-]+"`, "g"), ""));
  // Additions are checked on their own: every one is of a type 0.4.0 adds, and none replaces anything of 0.3.0.
  const added = Object.keys(resources(marked)).filter((a) => !Object.keys(resources(renamed)).includes(a));
  expect(added.filter((a) => !ADDED.includes(a.split(".")[0]))).toEqual([]);
  const now = { ...marked, resource: withoutTypes(marked.resource, ADDED), data: withoutTypes(marked.data, ADDED.filter((t) => t.startsWith("data ")).map((t) => t.slice(5)), renamed.data) };
  // References to data sources differ only by name; compare resources with data references masked.
  const mask = (j: Json) => JSON.parse(JSON.stringify(j).replace(/data\.[a-z_]+\.[A-Za-z0-9_-]+\./g, "data.X."));
  expect(mask(resources(now))).toEqual(mask(resources(renamed, now)));
  expect(dataBodies(mask(now))).toEqual(dataBodies(mask(renamed)));
  // Every move starts at an address 0.3.0 had.
  for (const { from } of moved) expect(Object.keys(resources(old))).toContain(from);
  return moved;
}

describe("construct ids keyed by zone", () => {
  it.each(Object.keys(VARIANTS))("%s: today's synthesis, through its moved blocks, is release 0.3.0's: same resources, same bodies (adopted ones with the marker tag)", (name) => {
    const now = synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps(VARIANTS[name]))).json;
    const imported = new Set(((now.import ?? []) as { to: string }[]).map((i) => i.to));
    const markedOnes = Object.entries(resources(now)).filter(([, body]) => body.tags?.[ADOPTION_MARKER_TAG] === "demo").map(([a]) => a);
    expect(markedOnes.every((a) => imported.has(a))).toBe(true);
    expect(markedOnes.length > 0).toBe(name === "adopted");
    const moved = expectNoChangeFrom(fixture(name), now);
    expect(moved.length).toBeGreaterThan(0);
    // The new ids name zones, never positions.
    for (const { to } of moved) expect(to).toMatch(/ap-northeast-1[acd]/);
  });

  it("the app's network stack of the embedded default: only moves, the same provider and backend, and two outputs more (nat_device_ids, egress_ip_details)", () => {
    const before = fixture("local-network-stack");
    const now = synthApp(loadConfig(LOCAL_CONFIG)).network;
    const renamed = throughMoves(before, expectNoChangeFrom(before, now));
    expect(now.terraform.backend).toEqual(before.terraform.backend);
    expect(now.provider.aws[0].region).toBe(before.provider.aws[0].region);
    const { nat_device_ids: added, egress_ip_details: details, ...kept } = now.output;
    expect(Object.keys(kept).sort()).toEqual(Object.keys(before.output).sort());
    for (const k of Object.keys(kept)) expect([k, kept[k].value]).toEqual([k, renamed.output[k].value]);
    expect(added.value).toEqual(renamed.output.nat_gateway_ids.value);
    expect(details.value.map((d: { address: string }) => d.address)).toEqual(renamed.output.egress_ips.value);
  });

  it("keys every per-zone resource by its zone: removing the first of three zones removes only that zone's ids", () => {
    const ids = (azs: Partial<FixedEgressNetworkProps>) =>
      Object.keys(resources(synthStack((scope) => new FixedEgressNetwork(scope, "network", networkProps({ ...azs, natPlacement: "perAz" }))).json));
    const three = ids(THREE_AZS);
    const two = ids({ availabilityZones: THREE_AZS.availabilityZones!.slice(1), publicSubnetCidrs: THREE_AZS.publicSubnetCidrs!.slice(1), privateSubnetCidrs: THREE_AZS.privateSubnetCidrs!.slice(1) });
    const gone = three.filter((a) => !two.includes(a));
    expect(two.filter((a) => !three.includes(a))).toEqual([]);
    // Its 2 subnets and 2 associations, its private table and route, its NAT Gateway and EIP; nothing of the other zones.
    expect(gone.length).toBe(8);
    for (const a of gone) expect(a).toMatch(/ap-northeast-1a/);
  });
});
