/**
 * Jest reporter: one plain closing line, "N passed, N failed, N skipped", for CI logs, and before it the CPU each
 * suite spent (its worker and every process it waited for: Terraform, providers, jobs; and its shared providers,
 * which no one waits for), most first, with the total, so a suite that grows is seen at once. The records come
 * from scripts/jest-cpu-environment.js through a file this reporter names in the environment the workers inherit.
 */
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require("fs");
const { tmpdir } = require("os");
const { join } = require("path");

const SHOWN_FROM = 1; // CPU-s: suites under it are counted in the total, not listed

class SummaryReporter {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "fixed-egress-jest-cpu-"));
    process.env.FIXED_EGRESS_JEST_CPU_FILE = join(this.dir, "suites.jsonl");
  }

  cpuTable() {
    let records = [];
    try {
      records = readFileSync(process.env.FIXED_EGRESS_JEST_CPU_FILE, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    } catch {
      return "";
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    const cpu = (r) => r.user + r.sys;
    records.sort((a, b) => cpu(b) - cpu(a));
    const shown = records.filter((r) => cpu(r) >= SHOWN_FROM);
    const sum = (f) => records.reduce((s, r) => s + f(r), 0);
    const lines = shown.map((r) => `${cpu(r).toFixed(1).padStart(7)} CPU-s (${r.user.toFixed(1)} user + ${r.sys.toFixed(1)} sys) ${r.wall.toFixed(0).padStart(4)} s wall  ${r.suite}`);
    const rest = records.length - shown.length;
    if (rest > 0) lines.push(`        and ${rest} suites under ${SHOWN_FROM} CPU-s each`);
    lines.push(`${sum(cpu).toFixed(1).padStart(7)} CPU-s (${sum((r) => r.user).toFixed(1)} user + ${sum((r) => r.sys).toFixed(1)} sys) in ${records.length} suites`);
    const providers = sum((r) => r.providers ?? 0);
    if (providers > 0) {
      lines.push(`${providers.toFixed(1).padStart(7)} CPU-s of it in shared providers (scripts/shared-provider.sh)`);
      // Processes no one waits for: a caller's own count (bash's `times` in .ci/run) adds them from this file.
      if (process.env.FIXED_EGRESS_UNWAITED_CPU_FILE) writeFileSync(process.env.FIXED_EGRESS_UNWAITED_CPU_FILE, `${providers.toFixed(1)}\n`);
    }
    return `\ncpu per suite (the worker, the processes it waited for, its shared providers):\n${lines.join("\n")}\n`;
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`${this.cpuTable()}\nsummary: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
