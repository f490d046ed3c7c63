/**
 * Jest's node environment, with the suite's priority (below), plus one record per suite of the CPU it spent: the worker's own CPU and that of
 * every process it waited for (Terraform, its provider plugins, the jobs, the emulator once stopped), read
 * from /proc/self/stat when the suite starts and after its last afterAll. A worker runs one suite at a time,
 * so the difference is that suite's. Records go to the file the summary reporter names
 * (FIXED_EGRESS_JEST_CPU_FILE), one JSON line each; without it (or without /proc) nothing is recorded.
 */
const { appendFileSync, readFileSync } = require("fs");
const { setPriority } = require("os");
const { relative } = require("path");
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

/** utime, stime, cutime, cstime of this process, in seconds (fields 14-17 of /proc/self/stat). */
function cpuSeconds() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // the name may hold spaces; fields after it start at 3
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { user: (utime + cutime) / TICKS_PER_SECOND, sys: (stime + cstime) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

class CpuRecordingEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    this.absolutePath = context.testPath;
    this.testPath = relative(config.globalConfig.rootDir, context.testPath);
  }

  async setup() {
    prioritize(this.absolutePath);
    this.started = cpuSeconds();
    this.startedAt = Date.now();
    await super.setup();
  }

  async teardown() {
    await super.teardown();
    const file = process.env.FIXED_EGRESS_JEST_CPU_FILE;
    const ended = cpuSeconds();
    if (!file || !this.started || !ended) return;
    const record = { suite: this.testPath, user: ended.user - this.started.user, sys: ended.sys - this.started.sys, wall: (Date.now() - this.startedAt) / 1000 };
    appendFileSync(file, `${JSON.stringify(record)}\n`);
  }
}

module.exports = CpuRecordingEnvironment;
