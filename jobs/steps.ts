/** Running a job's steps: a command with a visible phase and its own log, one line per step. */
import { spawn } from "child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ROOT, RUN_DIR } from "./paths";

let progressTo: NodeJS.WriteStream = process.stdout;
/** A job whose stdout is data (JSON, one address a line) sends its progress lines to stderr. */
export const progressToStderr = () => (progressTo = process.stderr);
export const say = (line: string) => progressTo.write(`${line}\n`);

export interface StepResult {
  readonly code: number;
  /** stdout and stderr as they came */
  readonly output: string;
  readonly stdout: string;
}

/**
 * What Terraform is doing, on one line: resources done (of those planned), the one being waited on and for
 * how long, seconds elapsed. On a terminal the line is redrawn every second; in a log, written every 10 s.
 */
export class Progress {
  private done = 0;
  private refreshed = 0;
  private readonly waiting = new Map<string, number>();
  private readonly started = Date.now();
  private timer?: NodeJS.Timeout;
  private lastWritten = Date.now();
  private readonly tty = Boolean(process.stdout.isTTY);

  constructor(private readonly label: string, private readonly planned?: number) {}

  /** Takes one line of Terraform's output. */
  take(line: string): void {
    const m = /^(\S+): (Creating|Modifying|Destroying|Importing|Refreshing state|Reading)\.\.\./.exec(line);
    if (m) {
      if (m[2] === "Refreshing state") this.refreshed++;
      else this.waiting.set(m[1], Date.now());
      return;
    }
    const d = /^(\S+): (Creation complete|Modifications complete|Destruction complete|Import complete|Read complete)/.exec(line);
    if (d) {
      this.waiting.delete(d[1]);
      if (d[2] !== "Read complete") this.done++;
    }
  }

  render(): string {
    const secs = (t: number) => Math.round((Date.now() - t) / 1000);
    const parts = [this.planned !== undefined ? `${this.done}/${this.planned} done` : `${this.refreshed} refreshed`];
    const oldest = [...this.waiting.entries()].sort((a, b) => a[1] - b[1])[0];
    if (oldest) parts.push(`waiting on ${oldest[0]} (${secs(oldest[1])} s)`);
    parts.push(`${secs(this.started)} s`);
    return `    ${this.label}: ${parts.join(", ")}`;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.tty) process.stdout.write(`\r\x1b[K${this.render()}`);
      else if (Date.now() - this.lastWritten >= 10_000) {
        this.lastWritten = Date.now();
        say(this.render());
      }
    }, 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stdout.write("\r\x1b[K");
  }
}

/**
 * Runs a command through scripts/tf-env.sh, writing its output to .run/<log>.log; returns the text.
 * Long steps print one line when they start and one when they end, with the seconds taken; with a
 * Progress, what Terraform is doing in between.
 */
export interface StepOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly progress?: Progress;
  /** exit codes that mean success (plan -detailed-exitcode: 2 is "changes") @default [0] */
  readonly ok?: number[];
}

export function step(label: string, cmd: string, args: string[], log: string, { env = {}, progress, ok = [0] }: StepOptions = {}): Promise<StepResult> {
  mkdirSync(RUN_DIR, { recursive: true });
  const logFile = join(RUN_DIR, `${log}.log`);
  writeFileSync(logFile, `$ ${cmd} ${args.join(" ")}\n`);
  const started = Date.now();
  say(`==> ${label}`);
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, "scripts", "tf-env.sh"), [cmd, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1", FORCE_COLOR: "0", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    let partial = "";
    progress?.start();
    const take = (d: Buffer) => {
      const text = d.toString();
      output += text;
      appendFileSync(logFile, text);
      if (progress) {
        const lines = (partial + text).split("\n");
        partial = lines.pop() ?? "";
        lines.forEach((l) => progress.take(l));
      }
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      take(d);
    });
    child.stderr.on("data", take);
    child.on("close", (code) => {
      progress?.stop();
      say(`    ${ok.includes(code ?? 1) ? "done" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${logFile})`);
      resolve({ code: code ?? 1, output, stdout });
    });
  });
}
