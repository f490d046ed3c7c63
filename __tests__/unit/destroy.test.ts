import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { protectedStop } from "../../jobs/destroy";
import { JOB_MAIN, LOCAL_CONFIG, derivedConfig, rawConfig, writeTempConfig } from "../helpers/config";

describe("make destroy with protected egress IPs", () => {
  it("stops before destroying anything, naming both ways through", () => {
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.network.protectEgressIps = true)));
    const runDir = mkdtempSync(join(tmpdir(), "fx-destroy-"));
    const r = spawnSync(process.execPath, ["--import", "tsx", JOB_MAIN, "destroy"], {
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
    const destroy = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", JOB_MAIN, "destroy", ...args], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8" });
    const unknown = destroy("--force");
    expect([unknown.status, unknown.stderr.trim()]).toEqual([2, "unknown option --force; usage: make destroy [ARGS=--release-egress-ips | ARGS=--app-only]"]);
    const both = destroy("--release-egress-ips", "--app-only");
    expect([both.status, both.stderr.trim()]).toEqual([2, "--release-egress-ips and --app-only contradict each other (the first destroys the network, the second keeps it); give one"]);
  });
});
