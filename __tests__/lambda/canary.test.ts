/**
 * The egress canary against a real PostgreSQL 15: its log line and its embedded-metric-format document for a
 * source address that is an expected egress IP, one that is not, a database it cannot reach, and a database that
 * cannot report the client address (a Unix socket), where the observer tells the address instead.
 */
import { readFileSync } from "fs";
import { createServer, Server } from "http";
import { join } from "path";
import Ajv from "ajv";
import { CANARY_METRICS, handler, resetPasswordCache } from "../../lambda-src";
import { ROOT } from "../helpers/config";
import { freePort, PostgresServer, startPostgres } from "../../jobs/dataplane/postgres";
import { localProbeEnv } from "../helpers/probe-env";

jest.setTimeout(60_000);

const PASSWORD = "canary-test-password-2b7e";
const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(ROOT, "__tests__", "fixtures", "emf.schema.json"), "utf8")));
let pg: PostgresServer;
let observer: Server;
let observerUrl: string;

beforeAll(async () => {
  pg = await startPostgres({ hba: ["host app probe 127.0.0.1/32 scram-sha-256", "local app probe scram-sha-256"] });
  pg.sql(`CREATE ROLE probe LOGIN PASSWORD '${PASSWORD}'`);
  pg.sql("CREATE DATABASE app OWNER probe");
  // An observer as https://checkip.amazonaws.com answers: the caller's address and a newline.
  observer = createServer((_req, res) => res.end("198.18.0.7\n"));
  await new Promise<void>((resolve) => observer.listen(0, "127.0.0.1", resolve));
  observerUrl = `http://127.0.0.1:${(observer.address() as { port: number }).port}/`;
});
afterAll(() => {
  pg?.stop();
  observer?.close();
});

const env = (over: Record<string, string | undefined> = {}) => localProbeEnv(pg.port, PASSWORD, { CONNECT_TIMEOUT_MS: "2000", NETWORK_NAME: "demo-network", ...over });

/** One scheduled run: what it returned and the two lines it logged (the sentence, then the EMF document). */
async function run(over: Record<string, string | undefined> = {}) {
  const saved = process.env;
  const logged: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
  process.env = env(over);
  try {
    const result = await handler({ canary: true });
    expect(logged).toHaveLength(2);
    const emf = JSON.parse(logged[1]) as Record<string, any>;
    return { result, line: logged[0], emf };
  } finally {
    process.env = saved;
    log.mockRestore();
    resetPasswordCache();
  }
}

/** Valid by the specification: the schema, and every referenced member at the root (a string dimension, a numeric metric). */
function expectValidEmf(emf: Record<string, any>): void {
  expect(validate(emf) ? [] : validate.errors).toEqual([]);
  for (const d of emf._aws.CloudWatchMetrics) {
    for (const key of d.Dimensions.flat()) expect(typeof emf[key]).toBe("string");
    for (const m of d.Metrics) expect(typeof emf[m.Name]).toBe("number");
  }
  expect(Math.abs(emf._aws.Timestamp - Date.now())).toBeLessThan(60_000);
}

const metrics = (emf: Record<string, any>) => emf._aws.CloudWatchMetrics.flatMap((d: any) => d.Metrics.map((m: any) => `${m.Name}=${emf[m.Name]}`)).sort();

describe("the egress canary", () => {
  it("a source the database sees among the expected egress IPs: EgressIpExpected 1, DatabaseReachable 1, by network", async () => {
    const { result, line, emf } = await run();
    expect(result).toEqual({ network: "demo-network", databaseReachable: true, sourceIp: "127.0.0.1", seenBy: "database", egressIpExpected: true });
    expect(line).toBe("egress canary demo-network: database reachable; the database saw 127.0.0.1: an expected egress IP");
    expectValidEmf(emf);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: CANARY_METRICS.namespace, Dimensions: [["Network"]] });
    expect(emf.Network).toBe("demo-network");
    expect(metrics(emf)).toEqual(["DatabaseReachable=1", "EgressIpExpected=1"]);
  });

  it("a source outside the expected egress IPs: EgressIpExpected 0, and the line names both", async () => {
    const { result, line, emf } = await run({ EGRESS_IPS: "203.0.113.10" });
    expect(result.egressIpExpected).toBe(false);
    expect(line).toBe("egress canary demo-network: database reachable; the database saw 127.0.0.1: NOT an expected egress IP (expected: 203.0.113.10)");
    expectValidEmf(emf);
    expect(metrics(emf)).toEqual(["DatabaseReachable=1", "EgressIpExpected=0"]);
  });

  it("a database it cannot reach: DatabaseReachable 0, no EgressIpExpected (missing, which the alarm counts as breaching), never a throw", async () => {
    const { result, line, emf } = await run({ DB_PORT: String(await freePort()) });
    expect(result).toMatchObject({ databaseReachable: false, sourceIp: null, seenBy: null });
    expect(result.error).toMatch(/the connection was refused/);
    expect(line).toMatch(/^egress canary demo-network: database unreachable \(database 127\.0\.0\.1:\d+: the connection was refused .*\); no source address$/);
    expectValidEmf(emf);
    expect(metrics(emf)).toEqual(["DatabaseReachable=0"]);
    // With an observer, the address is still known: the egress is checked while the database is down.
    const observed = await run({ DB_PORT: String(await freePort()), EGRESS_OBSERVER_URL: observerUrl, EGRESS_IPS: "198.18.0.7" });
    expect(observed.result).toMatchObject({ databaseReachable: false, sourceIp: "198.18.0.7", seenBy: "observer", egressIpExpected: true });
    expect(metrics(observed.emf)).toEqual(["DatabaseReachable=0", "EgressIpExpected=1"]);
    // An observer that does not answer is named too.
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const neither = await run({ DB_PORT: String(await freePort()), EGRESS_OBSERVER_URL: closed });
    expect(neither.result.error).toMatch(new RegExp(`; observer: ${closed.replace(/[.:/]/g, "\\$&")} did not answer within 2000 ms \\(ECONNREFUSED\\)$`));
  });

  it("a database that cannot report the client address (a Unix socket): the observer's answer is checked instead", async () => {
    const { result, line, emf } = await run({ DB_HOST: pg.dir, EGRESS_OBSERVER_URL: observerUrl });
    expect(result).toEqual({ network: "demo-network", databaseReachable: true, sourceIp: "198.18.0.7", seenBy: "observer", egressIpExpected: false });
    expect(line).toBe("egress canary demo-network: database reachable; the observer saw 198.18.0.7: NOT an expected egress IP (expected: 203.0.113.10, 127.0.0.1)");
    expectValidEmf(emf);
    expect(metrics(emf)).toEqual(["DatabaseReachable=1", "EgressIpExpected=0"]);
    // Without an observer, only reachability is known.
    expect(metrics((await run({ DB_HOST: pg.dir })).emf)).toEqual(["DatabaseReachable=1"]);
  });

  it("says so when the observer answers something that is not an address", async () => {
    const bad = createServer((_req, res) => res.writeHead(503).end("busy"));
    await new Promise<void>((resolve) => bad.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(bad.address() as { port: number }).port}/`;
      const { result } = await run({ DB_HOST: pg.dir, EGRESS_OBSERVER_URL: url });
      expect(result).toMatchObject({ databaseReachable: true, sourceIp: null, seenBy: null });
      expect(result.error).toBe(`observer: ${url} answered 503 "busy", not an IPv4 address`);
    } finally {
      bad.close();
    }
  });
});
