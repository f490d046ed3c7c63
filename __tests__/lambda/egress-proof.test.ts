/**
 * The idea on the data plane: the bundled probe, run in a private host, reaches a database that admits
 * one address only through a NAT host that owns that address, and is refused or times out without it.
 */
import { execFileSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { synthApp } from "../helpers/app";
import { LOCAL_CONFIG, ROOT, derivedConfig } from "../helpers/config";
import { DataPlaneDatabase, startDatabaseIn } from "../../jobs/dataplane/databases";
import { DEFAULT_PORTS } from "../../lambda-src/settings";
import { ADDR, Testbed, createTestbed, testbedUnavailable } from "../../jobs/dataplane/netns";
import { ProbeOutcome, localProbeSettings, runProbeIn, unpackProbe } from "../../jobs/dataplane/probe-run";

jest.setTimeout(120_000);

const unavailable = testbedUnavailable();
if (unavailable) console.warn(`egress proof skipped: ${unavailable}`);
const maybe = unavailable ? describe.skip : describe;

const PASSWORD = "egress-proof-pw-51c2";
const PORTS = DEFAULT_PORTS; // where startDatabaseIn puts each engine
type Engine = keyof typeof PORTS;


maybe("egress proof in network namespaces", () => {
  let bed: Testbed;
  const dbs: DataPlaneDatabase[] = [];
  const work = mkdtempSync(join(tmpdir(), "fixed-egress-proof-"));
  const bundles: Record<Engine, string> = { postgres: "", mysql: "" };

  beforeAll(async () => {
    // The real artifacts: each engine's bundle, unpacked as Lambda would.
    for (const engine of ["postgres", "mysql"] as const) bundles[engine] = unpackProbe(engine, join(work, engine));
    bed = createTestbed();
    // Each engine on its usual port, admitting the probe from the egress address only (the same as make verify's).
    for (const engine of ["postgres", "mysql"] as const) dbs.push(await startDatabaseIn(engine, bed.ns.db, { bind: ADDR.db, admit: ADDR.egress, user: "probe", password: PASSWORD, database: "app" }));
  });

  afterAll(async () => {
    for (const db of dbs) await db.stop();
    bed?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs the bundled handler with node inside the private host. */
  const invoke = (engine: Engine, timeoutMs = 3000, extra: Record<string, string> = {}): Promise<ProbeOutcome> =>
    runProbeIn(
      bed.ns.private,
      bundles[engine],
      { ...localProbeSettings({ engine, host: ADDR.db, port: PORTS[engine], database: "app", user: "probe", password: PASSWORD, egressIps: [ADDR.egress], connectTimeoutMs: timeoutMs }), ...extra },
      join(ROOT, "node_modules"), // the Lambda runtime provides the AWS SDK
    );

  describe("the egress canary, as the schedule runs it", () => {
    afterEach(() => bed.setNat(true));
    const canary = async (extra: Record<string, string> = {}) => {
      const out = await invoke("postgres", 2000, { PROBE_EVENT: '{"canary":true}', NETWORK_NAME: "demo", ...extra });
      expect(out.ok).toBe(true); // a canary run never throws
      const [line, document] = out.logged;
      const emf = JSON.parse(document) as Record<string, unknown>;
      return { line, metrics: { reachable: emf.DatabaseReachable, expected: emf.EgressIpExpected } };
    };

    it("through the NAT: the database sees the egress IP, both metrics 1", async () => {
      expect(await canary()).toEqual({ line: `egress canary demo: database reachable; the database saw ${ADDR.egress}: an expected egress IP`, metrics: { reachable: 1, expected: 1 } });
    });

    it("an egress IP other than the one expected: EgressIpExpected 0, the line naming both", async () => {
      expect(await canary({ EGRESS_IPS: "203.0.113.99" })).toEqual({
        line: `egress canary demo: database reachable; the database saw ${ADDR.egress}: NOT an expected egress IP (expected: 203.0.113.99)`,
        metrics: { reachable: 1, expected: 0 },
      });
    });

    it("without the NAT rule the database refuses the private address: DatabaseReachable 0, EgressIpExpected missing", async () => {
      bed.setNat(false);
      const { line, metrics } = await canary();
      expect(metrics).toEqual({ reachable: 0, expected: undefined });
      expect(line).toMatch(new RegExp(`^egress canary demo: database unreachable \\(database ${ADDR.db}:5432: the database refused the login of user "probe"`));
    });
  });

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
