/** Shared pieces of the command-line jobs: run a step with a visible phase, keep its log, fail in one sentence. */
import { spawn } from "child_process";
import { appendFileSync, mkdirSync, writeFileSync } from "fs";
import { join, relative } from "path";
import { App } from "cdktf";
import { buildStacks } from "../stacks";
import { ConfigError, DEFAULT_CONFIG, loadConfig } from "../stacks/config";
import type { AppConfig } from "../stacks/config";
import { fail } from "./cli";

export const ROOT = join(__dirname, "..");
export const RUN_DIR = process.env.FIXED_EGRESS_RUN_DIR ?? join(ROOT, ".run");
/** Where cdktf writes the stacks (cdktf's --output). */
export const OUTDIR = process.env.FIXED_EGRESS_OUTDIR ?? join(ROOT, "cdktf.out");
export const stackDir = (stack: string) => join(OUTDIR, "stacks", stack);
/** A path as the user would type it: relative inside the project, absolute outside it. */
export const shown = (path: string) => (relative(ROOT, path).startsWith("..") ? path : relative(ROOT, path));

/** The config named by FIXED_EGRESS_CONFIG (or the default), or exit with its problems. */
export function configFromEnv(): { file: string; config: AppConfig } {
  const file = process.env.FIXED_EGRESS_CONFIG || DEFAULT_CONFIG;
  try {
    return { file, config: loadConfig(file) };
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
}

/** Synthesizes both stacks into OUTDIR in this process (what `cdktf synth` runs, without its ~1.5 s of start-up). */
export function synth(config: AppConfig): void {
  const started = Date.now();
  say("==> synth");
  const app = new App({ outdir: OUTDIR });
  buildStacks(app, config);
  app.synth();
  say(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s (${OUTDIR})`);
}


export const say = (line: string) => process.stdout.write(`${line}\n`);

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

/** Terminal output without colour codes and cursor moves (cdktf's spinner). */
// eslint-disable-next-line no-control-regex
const plainText = (output: string) => output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** Terraform's own error lines from a cdktf/terraform log, without spinners and colour codes. */
export function terraformErrors(output: string): string {
  const lines = plainText(output).split("\n").map((l) => l.replace(/^\s*(\S+\s+)?[│╷╵]\s?/, "").trimEnd());
  const start = lines.findIndex((l) => /Error:/.test(l));
  return start < 0 ? lines.filter(Boolean).slice(-15).join("\n") : lines.slice(start, start + 15).filter(Boolean).join("\n");
}

/** What Terraform said it did: "no changes" or its "Apply complete!/Destroy complete!" line. */
export function terraformOutcome(output: string): string {
  const plain = plainText(output);
  if (/No changes\./.test(plain)) return "no changes";
  const m = /(Apply complete!|Destroy complete!)[^\n]*/.exec(plain);
  return m ? m[0].trim() : "finished";
}

/**
 * When Terraform could not take the state lock: who holds it and how to release it. A crashed apply
 * leaves its lock behind; only its owner, or someone sure nothing runs, should release it.
 */
export function lockHint(output: string, dir: string): string | undefined {
  const plain = plainText(output);
  if (!/Error acquiring the state lock/.test(plain)) return undefined;
  const info = plain.slice(plain.indexOf("Lock Info:"));
  const field = (name: string) => new RegExp(`^[\\s│]*${name}:[ \\t]+(\\S[^\\n│]*)`, "m").exec(info)?.[1]?.trim();
  const id = field("ID") ?? "<lock id>";
  const who = field("Who");
  const created = field("Created");
  return [
    `The state is locked (lock ${id}${who ? `, held by ${who}` : ""}${created ? ` since ${created}` : ""}).`,
    "If no other apply is running (a crashed or killed one leaves its lock), release it with:",
    `  scripts/tf-env.sh terraform -chdir=${shown(dir) || "."} force-unlock -force ${id}`,
  ].join("\n");
}

export function failStep(what: string, r: StepResult, dir?: string): never {
  const hint = dir ? lockHint(r.output, dir) : undefined;
  return fail(`${what} failed:\n${hint ?? terraformErrors(r.output)}`);
}
