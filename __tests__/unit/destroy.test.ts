import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { protectedStop } from "../../jobs/destroy";
import { toForget } from "../../jobs/adopted-state";
import { JOB_MAIN, LOCAL_CONFIG, derivedConfig, rawConfig, writeTempConfig } from "../helpers/config";

describe("make destroy with protected egress IPs", () => {
  it("stops before destroying anything, naming both ways through", () => {
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.network.protectEgressIps = true)));
    const runDir = mkdtempSync(join(tmpdir(), "fx-destroy-"));
    const r = spawnSync(process.execPath, [JOB_MAIN, "destroy"], {
      env: { ...process.env, FIXED_EGRESS_CONFIG: file, FIXED_EGRESS_RUN_DIR: runDir, NODE_NO_WARNINGS: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      "demo-network protects its Elastic IPs (protectEgressIps: true): Terraform would refuse to destroy them after the app stack is gone, so nothing was destroyed.",
      "Either release the egress IPs too (the database's allow-list must then change): make destroy ARGS=--release-egress-ips",
      "or destroy only the app stack and keep the network and its IPs: make destroy ARGS=--app-only",
    ]);
    expect(r.stdout).toBe(""); // not even a synth or an init ran
    expect(readdirSync(runDir)).toEqual([]);
  });

  it("goes ahead with an explicit flag, and never stops an unprotected config", () => {
    const protectedConfig = derivedConfig(LOCAL_CONFIG, (c) => (c.network.protectEgressIps = true));
    expect(protectedStop(protectedConfig, { releaseEgressIps: true })).toBeUndefined();
    expect(protectedStop(protectedConfig, { appOnly: true })).toBeUndefined();
    expect(protectedStop(derivedConfig(LOCAL_CONFIG, () => undefined), {})).toBeUndefined();
  });

  it("refuses an unknown flag, and the two flags together, in one sentence each (exit 2)", () => {
    const destroy = (...args: string[]) => spawnSync(process.execPath, [JOB_MAIN, "destroy", ...args], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8" });
    const unknown = destroy("--force");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^unknown option --force; usage: make destroy \[ARGS=--release-egress-ips \| ARGS=--app-only \| ARGS=--delete-adopted\]/);
    const both = destroy("--release-egress-ips", "--app-only");
    expect([both.status, both.stderr.trim()]).toEqual([2, "--app-only keeps the network, so it cannot go with --release-egress-ips; give one"]);
  });
});

describe("make destroy of an adopted network", () => {
  const adopted = derivedConfig(LOCAL_CONFIG, (c) => {
    c.network.existingVpcId = "vpc-0123456789abcdef0";
    c.network.protectEgressIps = true;
    c.network.adopt = {
      publicSubnets: [{ id: "subnet-0000000000000a001" }, { id: "subnet-0000000000000a002" }],
      privateSubnets: [{ id: "subnet-0000000000000b001" }, { id: "subnet-0000000000000b002" }],
      publicRouteTables: [{ id: "rtb-0000000000000000a", main: true }, { id: "rtb-0000000000000000b" }],
      privateRouteTables: [{ id: "rtb-0000000000000000c" }, { id: "rtb-0000000000000000c" }],
      natGateways: [{ id: "nat-0000000000000000d", allocationId: "eipalloc-0000000000000000e" }],
    };
  });
  const imports = [
    { address: "aws_route.main", id: "rtb-0000000000000000a_0.0.0.0/0" },
    { address: "aws_route.private", id: "rtb-0000000000000000c_0.0.0.0/0" },
    { address: "aws_nat_gateway.nat", id: "nat-0000000000000000d" },
  ];

  it("forgets every adopted resource by default; with --delete-adopted only the main route table's default route", () => {
    expect(toForget(adopted, imports, false)).toEqual(["aws_route.main", "aws_route.private", "aws_nat_gateway.nat"]);
    expect(toForget(adopted, imports, true)).toEqual(["aws_route.main"]);
  });

  it("does not stop for protected adopted Elastic IPs it only forgets; deleting them takes --release-egress-ips", () => {
    expect(protectedStop(adopted, {})).toBeUndefined();
    expect(protectedStop(adopted, { deleteAdopted: true })).toMatch(/protects its adopted Elastic IPs .* make destroy ARGS="--delete-adopted --release-egress-ips"$/);
    expect(protectedStop(adopted, { deleteAdopted: true, releaseEgressIps: true })).toBeUndefined();
  });

  it("refuses --delete-adopted where nothing was adopted, and --app-only with it, before anything runs (exit 2)", () => {
    const destroy = (...args: string[]) => spawnSync(process.execPath, [JOB_MAIN, "destroy", ...args], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8" });
    const nothing = destroy("--delete-adopted");
    expect([nothing.status, nothing.stderr.trim()]).toEqual([2, "--delete-adopted is for an adopted network (network.adopt), and this config adopts nothing; leave it out"]);
    const both = destroy("--app-only", "--delete-adopted");
    expect(both.status).toBe(2);
    expect(both.stderr.trim()).toBe("--app-only keeps the network, so it cannot go with --delete-adopted; give one");
  });
});
