import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { protectedStop } from "../../scripts/destroy";
import { LOCAL_CONFIG, ROOT, derivedConfig, rawConfig, writeTempConfig } from "../helpers/config";

describe("make destroy with protected egress IPs", () => {
  it("stops before destroying anything, naming both ways through", () => {
    const file = writeTempConfig(rawConfig(LOCAL_CONFIG, (c) => (c.network.protectEgressIps = true)));
    const runDir = mkdtempSync(join(tmpdir(), "fx-destroy-"));
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "destroy.ts")], {
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
    expect(protectedStop(protectedConfig, ["--release-egress-ips"])).toBeUndefined();
    expect(protectedStop(protectedConfig, ["--app-only"])).toBeUndefined();
    expect(protectedStop(derivedConfig(LOCAL_CONFIG, () => undefined), [])).toBeUndefined();
  });

  it("refuses an unknown flag in one sentence", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "destroy.ts"), "--force"], { env: { ...process.env, NODE_NO_WARNINGS: "1" }, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("unknown option --force; make destroy takes --release-egress-ips or --app-only");
  });
});
