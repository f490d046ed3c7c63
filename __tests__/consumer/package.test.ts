/**
 * The library as another team gets it: packed from a clean clone (npm pack -w, which builds it first),
 * installed into a project of its own with the three peers, type-checked with strict, synthesized, and
 * validated by Terraform (under the Node running the tests and under Node 24 LTS); one copy of cdktf, and an
 * Aspect that sees the library's resources.
 */
import { execFileSync } from "child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { ROOT } from "../helpers/config";
import { CDKTN_PACKAGES, cachedPackages, cdktnProject, projectWith } from "../helpers/consumer-project";
import { NODE_LTS_VERSION, nodeLts } from "../helpers/node-lts";
import { run, terraform } from "../helpers/terraform";

jest.setTimeout(600_000);

const work = mkdtempSync(join(tmpdir(), "fixed-egress-consumer-"));
const clone = join(work, "clone");
const consumer = join(work, "consumer");
let tarball: string;
let packed: { files: { path: string }[]; size: number; unpackedSize: number };

const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1", npm_config_update_notifier: "false" }, stdio: ["ignore", "pipe", "pipe"] });

beforeAll(() => {
  // A clean clone of what is committed; its installed packages are the repository's (same lockfile).
  sh("git", ["clone", "--quiet", "--no-local", ROOT, clone], work);
  symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
  const out = sh("npm", ["pack", "-w", "@fixed-egress/constructs", "--json", "--pack-destination", work], clone);
  packed = JSON.parse(out.slice(out.indexOf("[")))[0];
  tarball = join(work, (packed as unknown as { filename: string }).filename);

  cpSync(join(ROOT, "__tests__", "fixtures", "consumer"), consumer, { recursive: true });
  // The peers at the repository's pins (installed once per user: the provider package unpacks to 360 MB).
  const pins = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const version = (name: string) => (pins.dependencies[name] ?? pins.devDependencies[name]).replace(/^[\^~]/, "");
  const library = JSON.parse(readFileSync(join(ROOT, "constructs", "package.json"), "utf8")).dependencies as Record<string, string>;
  const installed = (name: string) => JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")).version as string;
  projectWith(consumer, tarball, cachedPackages("cdktf-consumer", {
    cdktf: version("cdktf"), constructs: installed("constructs"), "@cdktf/provider-aws": version("@cdktf/provider-aws"),
    typescript: installed("typescript"), "@types/node": installed("@types/node"),
    ...Object.fromEntries(Object.keys(library).map((name) => [name, installed(name)])),
  }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed library", () => {
  it("holds the compiled JavaScript, the declarations, README, LICENSE and CHANGELOG, nothing else", () => {
    const files = packed.files.map((f) => f.path).sort();
    const other = files.filter((f) => !/^dist\/(cdktn\/)?[\w-]+\.(js|d\.ts)$/.test(f) && !["README.md", "LICENSE", "CHANGELOG.md", "package.json"].includes(f));
    expect(other).toEqual([]);
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/private-lambda.js", "dist/lambda-code.d.ts", "dist/cdktn/index.js", "dist/cdktn/index.d.ts", "README.md", "LICENSE", "CHANGELOG.md"]) expect(files).toContain(f);
    expect(files.some((f) => /test|stacks|scripts|config|Makefile/.test(f))).toBe(false);
  });

  it("declares its peers and only what it loads itself", () => {
    const pkg = JSON.parse(readFileSync(join(consumer, "node_modules", "@fixed-egress", "constructs", "package.json"), "utf8"));
    expect(pkg.name).toBe("@fixed-egress/constructs");
    expect(pkg.version).toBe("0.4.0");
    expect(pkg.peerDependencies).toEqual({ "@cdktf/provider-aws": "^20.1.0", "@cdktn/provider-aws": "^25.0.0", cdktf: "^0.21.0", cdktn: "^0.24.0", constructs: "^10.4.2" });
    // Each entry point needs only its own: cdktf's or CDK Terrain's peers are optional, constructs is not.
    expect(Object.keys(pkg.peerDependenciesMeta).sort()).toEqual(["@cdktf/provider-aws", "@cdktn/provider-aws", "cdktf", "cdktn"]);
    expect(pkg.exports["./cdktn"]).toEqual({ types: "./dist/cdktn/index.d.ts", default: "./dist/cdktn/index.js" });
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["esbuild", "fflate"]);
  });

  it("generates its CDK Terrain entry from the same build: cdktn's and aws 6's imports, aws 6's form where aws 6 changed an argument", () => {
    const dist = join(consumer, "node_modules", "@fixed-egress", "constructs", "dist");
    const terrain = readdirSync(join(dist, "cdktn"));
    expect(terrain.sort()).toEqual(readdirSync(dist).filter((f) => f !== "cdktn").sort());
    const code = terrain.filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(dist, "cdktn", f), "utf8")).join("\n");
    expect(code).not.toMatch(/require\("cdktf"\)|@cdktf\/provider-aws/);
    expect(code).toContain('require("@cdktn/provider-aws/lib/nat-gateway")');
    // aws 6 calls the region's name `region` (`name` is deprecated there): the generated entry reads that.
    expect(readFileSync(join(dist, "cdktn", "fixed-egress-network.js"), "utf8")).toContain('require("./provider-compat-v6")');
    expect(readFileSync(join(dist, "fixed-egress-network.js"), "utf8")).toContain('require("./provider-compat")');
  });

  it("publishes cleanly (npm publish --dry-run)", () => {
    // The package was just built by npm pack: its files are those; the dry run need not build it again.
    const r = execFileSync("npm", ["publish", "--dry-run", "--ignore-scripts", "-w", "@fixed-egress/constructs"], { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });
    expect(r).toContain("@fixed-egress/constructs@0.4.0");
  });
});

describe("a consumer project", () => {
  it("has exactly one copy of cdktf (the peer is its own): the library loads the app's", () => {
    const resolve = (from: string) => realpathSync(require.resolve("cdktf", { paths: [from] }));
    expect(resolve(join(consumer, "node_modules", "@fixed-egress", "constructs", "dist"))).toBe(resolve(consumer));
    expect(existsSync(join(consumer, "node_modules", "@fixed-egress", "constructs", "node_modules"))).toBe(false);
  });

  it("type-checks with strict (node16 resolution) and with bundler resolution", () => {
    sh(join(consumer, "node_modules", ".bin", "tsc"), ["-p", "."], consumer);
    sh(join(consumer, "node_modules", ".bin", "tsc"), ["--noEmit", "--strict", "--module", "esnext", "--moduleResolution", "bundler", "--skipLibCheck", "bundler-check.ts"], consumer);
    expect(sh("node", ["esm-check.mjs"], consumer).trim()).toBe("function function function");
  });

  it("synthesizes; an Aspect counts the library's resources; a relative entry resolves from cdktf.json", async () => {
    const out = sh("node", ["dist/main.js"], consumer);
    const stacks = join(consumer, "cdktf.out", "stacks");
    expect(readdirSync(stacks).sort()).toEqual(["legacy-network", "orders-app", "orders-network"]);
    for (const stack of ["legacy-network", "orders-app", "orders-network"]) {
      const json = JSON.parse(readFileSync(join(stacks, stack, "cdk.tf.json"), "utf8"));
      const resources = Object.values(json.resource as Record<string, object>).reduce((n, byId) => n + Object.keys(byId).length, 0);
      expect(out).toContain(`aspect: ${stack} ${resources}`);
      expect(resources).toBeGreaterThan(4);
    }
    const network = JSON.parse(readFileSync(join(stacks, "orders-network", "cdk.tf.json"), "utf8"));
    expect(Object.keys(network.resource.aws_nat_gateway)).toHaveLength(3);
    expect(network.resource.aws_internet_gateway).toBeUndefined();
    expect(Object.keys(network.data.aws_internet_gateway)).toHaveLength(1);
    const app = JSON.parse(readFileSync(join(stacks, "orders-app", "cdk.tf.json"), "utf8"));
    const fn = Object.values(app.resource.aws_lambda_function)[0] as { vpc_config: { subnet_ids: string } };
    expect(fn.vpc_config.subnet_ids).toBe("${data.terraform_remote_state.platform-network.outputs.private_subnet_ids}");
    // The adopted network: import blocks only for what exists, one shared private table, no main table resource.
    const legacy = JSON.parse(readFileSync(join(stacks, "legacy-network", "cdk.tf.json"), "utf8"));
    expect((legacy.import as { id: string }[]).map((i) => i.id)).toEqual(expect.arrayContaining(["nat-0a1b2c3d4e5f60001", "eipalloc-0a1b2c3d4e5f60001", "rtb-0a1b2c3d4e5f60001_0.0.0.0/0"]));
    expect(legacy.import).toHaveLength(14);
    expect(Object.keys(legacy.resource.aws_route_table)).toHaveLength(2);
  });

  it(`synthesizes the same stacks under Node ${NODE_LTS_VERSION} (the current LTS), and loads as an ES module there`, () => {
    const node24 = nodeLts();
    const out24 = join(work, "cdktf.out-node24");
    execFileSync(node24, ["dist/main.js"], { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CDKTF_OUTDIR: out24 } });
    for (const stack of ["legacy-network", "orders-app", "orders-network"]) {
      const read = (outdir: string) => readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
      expect(read(out24)).toBe(read(join(consumer, "cdktf.out")));
    }
    expect(execFileSync(node24, ["esm-check.mjs"], { cwd: consumer, encoding: "utf8" }).trim()).toBe("function function function");
  });

  it("passes terraform validate on every stack", async () => {
    for (const stack of ["legacy-network", "orders-app", "orders-network"]) {
      const dir = join(consumer, "cdktf.out", "stacks", stack);
      await terraform(dir, ["init", "-input=false", "-no-color", "-backend=false"]);
      const r = await run("terraform", ["validate", "-no-color"], { cwd: dir });
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("Success! The configuration is valid.");
    }
  });
});

describe("a consumer project on CDK Terrain (@fixed-egress/constructs/cdktn)", () => {
  const terrain = join(work, "terrain");
  /** The same app, written for CDK Terrain: its imports are the only change. */
  const forTerrain = (text: string) =>
    text
      .replace(/from "cdktf"/g, 'from "cdktn"')
      .replace(/"@cdktf\/provider-aws\/lib\//g, '"@cdktn/provider-aws/lib/')
      .replace(/"@fixed-egress\/constructs"/g, '"@fixed-egress/constructs/cdktn"');
  let tsc: string;
  let printed: string;
  const stackJson = (outdir: string, stack: string) => JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));

  beforeAll(() => {
    cpSync(join(ROOT, "__tests__", "fixtures", "consumer"), terrain, { recursive: true });
    writeFileSync(join(terrain, "main.ts"), forTerrain(readFileSync(join(terrain, "main.ts"), "utf8")));
    ({ tsc } = cdktnProject(terrain, tarball));
  });

  it(`type-checks with strict, and synthesizes under Node ${NODE_LTS_VERSION} (CDK Terrain needs Node 22 or later)`, () => {
    execFileSync(nodeLts(), [tsc, "-p", "."], { cwd: terrain, stdio: ["ignore", "pipe", "pipe"] });
    printed = execFileSync(nodeLts(), ["dist/main.js"], { cwd: terrain, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CDKTF_OUTDIR: join(terrain, "cdktf.out") } });
    expect(readdirSync(join(terrain, "cdktf.out", "stacks")).sort()).toEqual(["legacy-network", "orders-app", "orders-network"]);
  });

  it("builds the network the cdktf build of the same app builds: the same resource types and addresses, an Aspect seeing as many; aws 6 in required_providers", () => {
    for (const stack of ["legacy-network", "orders-app", "orders-network"]) {
      const addresses = (json: { resource: Record<string, object>; data?: Record<string, object> }) =>
        [...Object.entries(json.resource), ...Object.entries(json.data ?? {}).map(([t, v]) => [`data.${t}`, v] as const)].flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)).sort();
      const terrainJson = stackJson(join(terrain, "cdktf.out"), stack);
      expect(addresses(terrainJson)).toEqual(addresses(stackJson(join(consumer, "cdktf.out"), stack)));
      const count = Object.values(terrainJson.resource as Record<string, object>).reduce((n, byId) => n + Object.keys(byId).length, 0);
      expect(printed).toContain(`aspect: ${stack} ${count}`);
    }
    const network = stackJson(join(terrain, "cdktf.out"), "orders-network");
    expect(network.terraform.required_providers.aws.version).toMatch(/^6\./);
    expect(CDKTN_PACKAGES["@cdktn/provider-aws"]).toMatch(/^25\./);
  });
});
