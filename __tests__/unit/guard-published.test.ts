/**
 * The guard on published egress IPs (guard/rules-published.ts), through the whole review: a prefix list that
 * follows the network passes, one that falls behind it is refused whether or not the egress path changes, a list
 * of other addresses is left alone.
 */
import { reviewDrift, reviewPlan } from "@fixed-egress/guard";
import { ChangeSpec, Res, TODAY, planOf, valuesAt } from "../helpers/plans";

const LIST = "aws_ec2_managed_prefix_list.egress";
const listOf = (...cidrs: (string | undefined)[]) => ({ id: "pl-1", name: "egress-ips-demo", entry: cidrs.map((cidr, i) => (cidr ? { cidr, description: `entry ${i}` } : { description: `entry ${i}` })) });
const published: Res = { address: LIST, type: "aws_ec2_managed_prefix_list", values: listOf("198.51.100.7/32") };
const nat = valuesAt(TODAY, "aws_nat_gateway.nat");
const said = (o: { prior: Res[]; planned: Res[]; changes: ChangeSpec[] }) => {
  const r = reviewPlan(planOf(o), "demo-network");
  return [...r.findings, ...r.warnings].filter((f) => f.rule.startsWith("prefix-list")).map((f) => `${f.rule} ${f.verdict}: ${f.reason}`);
};
const noop = (r: Res): ChangeSpec => ({ address: r.address, type: r.type, actions: ["no-op"], before: r.values, after: r.values });

describe("published egress IPs in the review", () => {
  it("a zone added: the list gains an entry known only after apply for the new NAT Gateway's address, which passes", () => {
    const nat2 = { address: "aws_nat_gateway.nat2", type: "aws_nat_gateway", values: { connectivity_type: "public", secondary_allocation_ids: [] } };
    const grown = { ...published, values: { ...listOf("198.51.100.7/32", undefined), max_entries: 2 } };
    expect(
      said({
        prior: [...TODAY, published],
        planned: [...TODAY, nat2, grown],
        changes: [
          { address: nat2.address, type: nat2.type, actions: ["create"], after: nat2.values, after_unknown: { allocation_id: true, id: true } },
          { address: LIST, type: published.type, actions: ["update"], before: published.values, after: grown.values, after_unknown: { entry: [{}, { cidr: true }] } },
        ],
      }),
    ).toEqual([]);
  });

  it("a secondary address added while a hand-written list stays as it is: refused, naming the address it lacks", () => {
    const secondary = { address: "aws_eip.second", type: "aws_eip", values: { id: "eipalloc-2", allocation_id: "eipalloc-2", public_ip: "198.51.100.8", domain: "vpc" } };
    const natAfter = { ...nat, secondary_allocation_ids: ["eipalloc-2"] };
    const planned = [...TODAY.map((r) => (r.type === "aws_nat_gateway" ? { ...r, values: natAfter } : r)), secondary, published];
    expect(
      said({ prior: [...TODAY, published], planned, changes: [{ address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["update"], before: nat, after: natAfter }, noop(published)] }),
    ).toEqual(["prefix-list-differs refuse: publishes the egress IPs and would differ from them: it lacks the egress IP(s) 198.51.100.8, so partners who reference it admit the wrong addresses."]);
  });

  it("the list edited alone, egress unchanged: dropping the egress IP is refused and warned about; the review refuses though no path changes", () => {
    const emptied = { ...published, values: listOf("192.0.2.10/32") };
    const plan = planOf({ prior: [...TODAY, published], planned: [...TODAY, emptied], changes: [{ address: LIST, type: published.type, actions: ["update"], before: published.values, after: emptied.values }] });
    const review = reviewPlan(plan, "demo-network");
    expect(review.egressChanges).toEqual([]);
    expect(review.findings.map((f) => f.rule)).toEqual(["prefix-list-differs"]);
    expect(review.warnings.map((f) => `${f.rule}: ${f.reason}`)).toEqual([
      "prefix-list-entry-removed: would remove the entries 198.51.100.7/32: they are still egress IPs, which partners whose security groups reference the list stop admitting.",
    ]);
  });

  it("a NAT Gateway moved to a brought address while the list keeps the old one: the new address missing and the old one stale", () => {
    const brought = { address: "data.aws_eip.brought", type: "aws_eip", mode: "data" as const, values: { id: "eipalloc-3", public_ip: "198.51.100.9" } };
    const natAfter = { ...nat, id: undefined, allocation_id: "eipalloc-3", public_ip: undefined };
    const planned = [...TODAY.filter((r) => r.type !== "aws_nat_gateway"), { address: "aws_nat_gateway.nat", type: "aws_nat_gateway", values: natAfter }, published];
    const out = said({ prior: [...TODAY, brought, published], planned, changes: [{ address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete", "create"], before: nat, after: natAfter, after_unknown: { id: true } }, noop(published)] });
    expect(out).toEqual([
      "prefix-list-differs refuse: publishes the egress IPs and would differ from them: it lacks the egress IP(s) 198.51.100.9; it still lists 198.51.100.7/32, no longer egress IP(s), so partners who reference it admit the wrong addresses.",
    ]);
  });

  it("leaves a list of other addresses alone, whatever happens to egress", () => {
    const office = { address: "aws_ec2_managed_prefix_list.office", type: "aws_ec2_managed_prefix_list", values: { id: "pl-2", entry: [{ cidr: "192.0.2.0/24" }, { cidr: "192.0.2.99/32" }] } };
    // Egress unchanged (the list lacks today's egress IP, which would be refused in a list that published it)…
    expect(said({ prior: [...TODAY, office], planned: [...TODAY, office], changes: [noop(office)] })).toEqual([]);
    // …and the NAT Gateway destroyed.
    expect(said({ prior: [...TODAY, office], planned: [...TODAY, office], changes: [{ address: "aws_nat_gateway.nat", type: "aws_nat_gateway", actions: ["delete"], before: nat }, noop(office)] })).toEqual([]);
  });

  it("drift: an entry removed in the console is refused as drift of the egress path, against today's egress IPs", () => {
    const emptied = { ...published, values: listOf() };
    const plan = planOf({ prior: [...TODAY, emptied], drift: [{ address: LIST, type: published.type, actions: ["update"], before: published.values, after: emptied.values }] });
    const drift = reviewDrift(plan, "demo-network");
    expect(drift.drifted).toEqual([{ address: LIST, what: "changed" }]);
    expect(drift.findings.map((f) => `${f.rule}: ${f.reason}`)).toEqual(["prefix-list-differs: publishes the egress IPs and would differ from them: it lacks the egress IP(s) 198.51.100.7, so partners who reference it admit the wrong addresses."]);
    expect(drift.warnings.map((f) => f.rule)).toEqual(["prefix-list-entry-removed"]);
  });
});
