/**
 * The idea on the data plane: the bundled probe, run in a private host, reaches a database that admits
 * one address only through a NAT host that owns that address, and is refused or times out without it.
 */
import { execFile, execFileSync } from "child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { unzipSync } from "fflate";
import { DEFAULT_EXTERNAL, bundleNodeFunction } from "../../constructs/bundle";
import { synthApp } from "../helpers/app";
import { PROBE_ENTRY, UNUSED_DRIVERS } from "../../stacks/app-stack";
import { LOCAL_CONFIG, ROOT, derivedConfig } from "../helpers/config";
import { MariaDbServer, startMariaDb } from "../helpers/mariadb";
import { ADDR, Testbed, createTestbed, testbedUnavailable } from "../helpers/netns";
import { PostgresServer, startPostgres } from "../helpers/postgres";

jest.setTimeout(120_000);

const unavailable = testbedUnavailable();
if (unavailable) console.warn(`egress proof skipped: ${unavailable}`);
const maybe = unavailable ? describe.skip : describe;

const PASSWORD = "egress-proof-pw-51c2";
const PORTS = { postgres: 5432, mysql: 3306 } as const;
type Engine = keyof typeof PORTS;

interface Outcome {
  readonly ok: boolean;
  readonly result?: { sourceIp: string; egressIpExpected: boolean; engine: string; serverVersion: string };
  readonly error?: string;
  readonly ms: number;
}

maybe("egress proof in network namespaces", () => {
  let bed: Testbed;
  let pg: PostgresServer;
  let maria: MariaDbServer;
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-proof-"));
  const bundles: Record<Engine, string> = { postgres: "", mysql: "" };

  beforeAll(async () => {
    // The real artifacts: each engine's bundle, unzipped as Lambda would.
    for (const engine of ["postgres", "mysql"] as const) {
      const zip = bundleNodeFunction(PROBE_ENTRY, { external: [...DEFAULT_EXTERNAL, ...UNUSED_DRIVERS[engine]] }).zipPath;
      const dir = join(work, engine);
      mkdirSync(dir);
      writeFileSync(join(dir, "index.js"), unzipSync(readFileSync(zip))["index.js"]);
      writeFileSync(
        join(dir, "invoke.js"),
        `require("./index.js").handler().then((r) => console.log(JSON.stringify({ ok: true, result: r })), (e) => console.log(JSON.stringify({ ok: false, error: e.message })));\n`,
      );
      bundles[engine] = dir;
    }
    bed = createTestbed();
    pg = await startPostgres({ listen: ADDR.db, port: PORTS.postgres, netns: bed.ns.db, hba: [`host app probe ${ADDR.egress}/32 scram-sha-256`] });
    pg.sql(`CREATE ROLE probe LOGIN PASSWORD '${PASSWORD}'`);
    pg.sql("CREATE DATABASE app OWNER probe");
    maria = await startMariaDb({ bind: ADDR.db, port: PORTS.mysql, netns: bed.ns.db });
    maria.sql(`CREATE DATABASE app; CREATE USER 'probe'@'${ADDR.egress}' IDENTIFIED BY '${PASSWORD}'; GRANT ALL ON app.* TO 'probe'@'${ADDR.egress}';`);
  });

  afterAll(async () => {
    pg?.stop();
    await maria?.stop();
    bed?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs the bundled handler with node inside the private host. */
  function invoke(engine: Engine, timeoutMs = 3000): Promise<Outcome> {
    const env = {
      PATH: process.env.PATH,
      NODE_PATH: join(ROOT, "node_modules"), // the Lambda runtime provides the AWS SDK
      DB_ENGINE: engine,
      DB_HOST: ADDR.db,
      DB_PORT: String(PORTS[engine]),
      DB_NAME: "app",
      DB_USER: "probe",
      DB_PASSWORD: PASSWORD,
      DB_TLS: "disable",
      EGRESS_IPS: ADDR.egress,
      CONNECT_TIMEOUT_MS: String(timeoutMs),
    };
    const started = Date.now();
    return new Promise((resolve, reject) =>
      execFile("ip", ["netns", "exec", bed.ns.private, process.execPath, join(bundles[engine], "invoke.js")], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`probe process failed: ${stderr || err.message}`));
        resolve({ ...(JSON.parse(stdout.trim().split("\n").pop()!) as Outcome), ms: Date.now() - started });
      }),
    );
  }

  for (const engine of ["postgres", "mysql"] as const) {
    describe(engine, () => {
      afterEach(() => {
        bed.setNat(true);
        bed.setNatLink(true);
        bed.setBlackhole(false);
      });

      it("reaches the database through the NAT host: the database sees the egress IP", async () => {
        const out = await invoke(engine);
        expect(out.error).toBeUndefined();
        expect(out.result).toMatchObject({ engine, sourceIp: ADDR.egress, egressIpExpected: true });
        expect(out.result!.serverVersion).toMatch(engine === "postgres" ? /^PostgreSQL 15/ : /MariaDB/);
      });

      it("is refused without the NAT rule, and says which egress IPs must be allow-listed", async () => {
        bed.setNat(false);
        const out = await invoke(engine);
        expect(out.ok).toBe(false);
        expect(out.error).toMatch(new RegExp(`^database ${ADDR.db}:${PORTS[engine]}: the database refused the login of user "probe"`));
        expect(out.error).toContain(ADDR.private); // the database names the address it saw
        expect(out.error).toMatch(new RegExp(`check that the database allow-lists the egress IPs ${ADDR.egress}$`));
      });

      it("fails at once, with a clear message, when the NAT host's link is down", async () => {
        bed.setNatLink(false);
        // A connect timeout far longer than the answer takes: only the NAT host's ICMP unreachable can end it early.
        const out = await invoke(engine, 20_000);
        expect(out.ok).toBe(false);
        expect(out.error).toMatch(new RegExp(`^database ${ADDR.db}:${PORTS[engine]}: no route to the database \\(`));
        expect(out.ms).toBeLessThan(5000); // node's start-up and one round trip, nowhere near the 20 s timeout
      });

      it("gives up after its connect timeout, not a hang, when the NAT host drops everything", async () => {
        bed.setBlackhole(true);
        const out = await invoke(engine, 2000);
        expect(out.ok).toBe(false);
        expect(out.error).toMatch(new RegExp(`^database ${ADDR.db}:${PORTS[engine]}: no answer within 2000 ms \\(`));
        expect(out.ms).toBeGreaterThanOrEqual(2000);
        expect(out.ms).toBeLessThan(2000 + 3000);
      });
    });
  }

  describe("the NAT instance's own user data, taken from the synthesized stack", () => {
    let script: string;
    beforeAll(() => {
      const synth = synthApp(derivedConfig(LOCAL_CONFIG, (c) => (c.network.natProvider = "instance")));
      const instances = Object.values(synth.network.resource.aws_instance) as { user_data: string }[];
      expect(instances).toHaveLength(1);
      script = join(work, "nat-user-data.sh");
      writeFileSync(script, instances[0].user_data);
    });
    afterEach(() => {
      bed.inNs("nat", "sh", "-c", "nft delete table ip fixed_egress_nat 2>/dev/null; true");
      bed.inNs("nat", "sysctl", "-qw", "net.ipv4.ip_forward=1");
      bed.setNat(true);
    });

    /**
     * Runs the script as root in the NAT host, as EC2 runs user data, but in a mount namespace of its own with
     * empty folders where its persistence steps write, so they touch nothing of this machine (`readOnly`: they fail).
     */
    function runUserData(readOnly = false): { code: number; out: string } {
      const mounts = ["/etc/sysctl.d", "/etc/systemd", "/usr/local/sbin"].map((d) => `mkdir -p ${d} && mount -t tmpfs ${readOnly ? "-o ro " : ""}tmpfs ${d}`).join(" && ");
      try {
        const out = execFileSync("ip", ["netns", "exec", bed.ns.nat, "unshare", "--mount", "--propagation", "private", "sh", "-c", `${mounts} && sh ${script}; echo "exit $?"; ls /etc/sysctl.d /usr/local/sbin /etc/systemd/system 2>/dev/null; true`], { encoding: "utf8" });
        return { code: Number(/exit (\d+)/.exec(out)![1]), out };
      } catch (err) {
        return { code: 1, out: String((err as { stderr?: string }).stderr ?? err) };
      }
    }

    for (const engine of ["postgres", "mysql"] as const) {
      it(`${engine}: refused without it; with it the database sees the NAT's address and the probe reports egressIpExpected`, async () => {
        bed.setNat(false); // a plain router: forwarding, no translation
        const refused = await invoke(engine);
        expect(refused.error).toMatch(/the database refused the login of user "probe"/);

        // The script does it all itself: forwarding off first, to show it turns it on.
        bed.inNs("nat", "sysctl", "-qw", "net.ipv4.ip_forward=0");
        bed.inNs("nat", "sysctl", "-qw", "net.ipv4.conf.all.send_redirects=1");
        // The forwarding interface exists before user data runs: "default" no longer reaches it.
        bed.inNs("nat", "sh", "-c", `echo 1 > /proc/sys/net/ipv4/conf/${bed.natPublicIf}/send_redirects`);
        const run = runUserData();
        expect(run.code).toBe(0);
        expect(run.out).toContain(`fixed-egress-nat: forwarding, masquerading through ${bed.natPublicIf}`);
        expect(bed.inNs("nat", "sysctl", "-n", "net.ipv4.ip_forward").trim()).toBe("1");
        // No ICMP redirects, as AWS's NAT AMI sets it.
        expect(bed.inNs("nat", "sysctl", "-n", "net.ipv4.conf.all.send_redirects").trim()).toBe("0");
        expect(bed.inNs("nat", "cat", `/proc/sys/net/ipv4/conf/${bed.natPublicIf}/send_redirects`).trim()).toBe("0");
        const out = await invoke(engine);
        expect(out.error).toBeUndefined();
        expect(out.result).toMatchObject({ engine, sourceIp: ADDR.egress, egressIpExpected: true });
      });
    }

    it("is idempotent, and sets itself up for the next boot where it can", async () => {
      bed.setNat(false);
      const first = runUserData();
      const second = runUserData();
      expect([first.code, second.code]).toEqual([0, 0]);
      expect(bed.inNs("nat", "nft", "list", "tables").trim().split("\n").filter((t) => t.includes("fixed_egress_nat"))).toHaveLength(1);
      for (const file of ["90-fixed-egress-nat.conf", "fixed-egress-nat.service", "/usr/local/sbin:\nfixed-egress-nat"]) expect(second.out).toContain(file);
      expect((await invoke("postgres")).result).toMatchObject({ sourceIp: ADDR.egress, egressIpExpected: true });
    });

    it("keeps the NAT up when its persistence steps fail (read-only folders, as off EC2)", async () => {
      bed.setNat(false);
      const run = runUserData(true);
      expect(run.out).not.toMatch(/^Error|mount:/m);
      expect(run.code).toBe(0);
      expect(run.out).toContain("fixed-egress-nat: forwarding, masquerading through");
      expect(run.out).toContain("fixed-egress-nat: could not set up the boot-time re-run (the NAT is up now)");
      expect((await invoke("postgres")).result).toMatchObject({ sourceIp: ADDR.egress, egressIpExpected: true });
    });
  });
});
