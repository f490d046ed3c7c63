/**
 * Jest's node environment, with the suite's priority (below), plus one record per suite of the CPU it spent: the worker's own CPU and that of
 * every process it waited for (Terraform, its provider plugins, the jobs, the emulator once stopped), read
 * from /proc/self/stat when the suite starts and after its last afterAll. A worker runs one suite at a time,
 * so the difference is that suite's. Records go to the file the summary reporter names
 * (FIXED_EGRESS_JEST_CPU_FILE), one JSON line each; without it (or without /proc) nothing is recorded.
 */
const { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require("fs");
const { setPriority, tmpdir } = require("os");
const { join, relative } = require("path");
const NodeEnvironment = require("jest-environment-node").TestEnvironment;
const { isLong } = require("./jest-sequencer");

/**
 * The niceness of a suite's worker (and so of everything it starts): 0 for the long emulator suites, BACKGROUND
 * for the others, which then take the CPU the long ones leave while they wait. Moderate, so a background test
 * is slowed, not starved. Going back to 0 needs root (CI is); elsewhere the worker keeps the lower priority.
 */
const BACKGROUND = 5;
function prioritize(testPath) {
  try {
    setPriority(0, isLong(testPath) ? 0 : BACKGROUND);
  } catch {
    // not allowed to raise it again: a background priority only costs this suite time
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture jest runs on

/** utime, stime, cutime, cstime of a process (this one by default), in seconds (fields 14-17 of /proc/<pid>/stat). */
function cpuSeconds(pid = "self") {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name may hold spaces; fields after it start at 3
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { user: (utime + cutime) / TICKS_PER_SECOND, sys: (stime + cstime) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

const REGISTRY = "FIXED_EGRESS_SHARED_PROVIDERS"; // the suite's registry of shared providers (scripts/shared-provider.sh)
const OWNER = "FIXED_EGRESS_SHARED_PROVIDERS_OWNER"; // the pid whose end stops them
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether a process of this pid exists. */
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops the providers of a registry (scripts/shared-provider.sh) and removes it; returns the CPU they spent, read
 * just before each is stopped (they are not this worker's children, so their CPU would not count otherwise).
 */
async function stopSharedProviders(registry) {
  const spent = { user: 0, sys: 0 };
  for (const slot of readdirSync(registry)) {
    const pidFile = join(registry, slot, "pid");
    if (!existsSync(pidFile)) continue;
    const pid = Number(readFileSync(pidFile, "utf8"));
    const cpu = cpuSeconds(pid);
    if (!cpu || !alive(pid)) continue;
    spent.user += cpu.user;
    spent.sys += cpu.sys;
    process.kill(pid, "SIGTERM");
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(registry, { recursive: true, force: true });
  return spent;
}

/**
 * A suite whose first docblock holds `@shared-providers` runs Terraform with one provider per stack folder
 * (scripts/shared-provider.sh), stopped when the suite ends: for the suites that run many commands in a few
 * folders. A suite that interrupts Terraform, or counts its processes, goes without; so does every suite when
 * FIXED_EGRESS_SHARED_PROVIDERS=0 (each command then starts its own provider, as outside the tests).
 */
class CpuRecordingEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    this.absolutePath = context.testPath;
    this.testPath = relative(config.globalConfig.rootDir, context.testPath);
    this.sharesProviders = "shared-providers" in (context.docblockPragmas ?? {}) && process.env[REGISTRY] !== "0";
  }

  async setup() {
    prioritize(this.absolutePath);
    this.started = cpuSeconds();
    this.startedAt = Date.now();
    await super.setup();
    if (this.sharesProviders) {
      this.registry = mkdtempSync(join(tmpdir(), "fixed-egress-providers-"));
      // The worker's environment (what the suite's processes inherit) and the suite's own copy of it.
      for (const env of [process.env, this.global.process.env]) Object.assign(env, { [REGISTRY]: this.registry, [OWNER]: String(process.pid) });
    }
  }

  async teardown() {
    const providers = this.registry ? await stopSharedProviders(this.registry) : { user: 0, sys: 0 };
    if (this.registry) for (const name of [REGISTRY, OWNER]) delete process.env[name];
    await super.teardown();
    const file = process.env.FIXED_EGRESS_JEST_CPU_FILE;
    const ended = cpuSeconds();
    if (!file || !this.started || !ended) return;
    const user = ended.user - this.started.user + providers.user;
    const sys = ended.sys - this.started.sys + providers.sys;
    const record = { suite: this.testPath, user, sys, wall: (Date.now() - this.startedAt) / 1000, ...(this.registry ? { providers: providers.user + providers.sys } : {}) };
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  }
}

module.exports = CpuRecordingEnvironment;
Object.assign(module.exports, { stopSharedProviders, alive });
