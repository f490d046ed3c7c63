#!/usr/bin/env node
/**
 * fixed-egress-guard: reviews `terraform show -json` output of any Terraform plan for changes of the egress path.
 *   fixed-egress-guard review [--allow-egress-change] [--allow-listed FILE] [--format markdown|json|sarif] <plan.json>…
 *   fixed-egress-guard drift [--format markdown|json|sarif] <refresh-only plan.json>…
 * Exit 0 passed, 1 refused, 2 could not review (missing, unreadable or non-plan input, a failed plan, bad
 * arguments): it fails closed. The report goes to standard output, one line per refusal or error to standard error.
 */
import { writeFileSync } from "fs";
import { parseArgs } from "util";
import { reviewDriftFiles } from "./drift";
import { parseCidr } from "./model/ranges";
import { GuardInputError } from "./plan";
import { renderDriftJson, renderJson } from "./render/json";
import { findingLine, renderDriftMarkdown, renderMarkdown } from "./render/markdown";
import { renderSarif, reviewSarif } from "./render/sarif";
import { decide, readAllowList, reviewFiles } from "./review";
import { TOOL_NAME } from "./version";
import { RUN_TASK_USAGE, parseRunTaskArgs, serveRunTask } from "./run-task/command";

export const EXIT = { passed: 0, refused: 1, cannotReview: 2 } as const;

const USAGE = `usage: ${TOOL_NAME} review [--allow-egress-change] [--allow-listed FILE] [--destinations CIDR,…] [--format markdown|json|sarif]
              [--json-file FILE] [--sarif-file FILE] <plan.json>…
       ${TOOL_NAME} drift [--destinations CIDR,…] [--format markdown|json|sarif] <refresh-only plan.json>…
       ${RUN_TASK_USAGE}
Give the output of \`terraform show -json <planfile>\`, one file per plan. Exit 0 passed, 1 refused, 2 could not review.`;

const FORMATS = ["markdown", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface Args {
  readonly command: "review" | "drift";
  readonly format: Format;
  readonly files: string[];
  readonly allowEgressChange: boolean;
  readonly allowListedFile?: string;
  /** --json-file / --sarif-file: the same review also written there, from the same reading of the plans */
  readonly jsonFile?: string;
  readonly sarifFile?: string;
  /** --destinations: the database's addresses or ranges; only their exits are compared */
  readonly destinations?: string[];
}

function parse(argv: string[]): Args | "help" {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h") return "help";
  if (command === "run-task") throw new GuardInputError(`run-task is a server: start it as its own command\nusage: ${RUN_TASK_USAGE}`);
  if (command !== "review" && command !== "drift") throw new GuardInputError(command ? `unknown command "${command}"; the commands are review, drift and run-task\n${USAGE}` : USAGE);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { format: { type: "string", default: "markdown" }, destinations: { type: "string" }, ...(command === "review" ? { "allow-egress-change": { type: "boolean" as const }, "allow-listed": { type: "string" as const }, "json-file": { type: "string" as const }, "sarif-file": { type: "string" as const } } : {}) },
    });
  } catch (err) {
    throw new GuardInputError(`${(err as Error).message}\n${USAGE}`);
  }
  const format = parsed.values.format as string;
  if (!FORMATS.includes(format as Format)) throw new GuardInputError(`--format "${format}" is not known; use ${FORMATS.join(", ")}`);
  if (parsed.positionals.length === 0) throw new GuardInputError(`give one or more plan JSON files (terraform show -json <planfile> > <stack>.plan.json)\n${USAGE}`);
  const v = parsed.values as Record<string, unknown>;
  const destinations = typeof v.destinations === "string" ? v.destinations.split(",").map((d) => d.trim()).filter((d) => d !== "") : undefined;
  const bad = destinations?.find((d) => !parseCidr(d.includes("/") ? d : `${d}/32`));
  if (bad !== undefined || destinations?.length === 0) throw new GuardInputError(`--destinations "${bad ?? ""}" is not an IPv4 address or CIDR; give the database's addresses, comma-separated (203.0.113.10,198.18.0.0/15)`);
  return { command, format: format as Format, files: parsed.positionals, allowEgressChange: v["allow-egress-change"] === true, allowListedFile: v["allow-listed"] as string | undefined, destinations, jsonFile: v["json-file"] as string | undefined, sarifFile: v["sarif-file"] as string | undefined };
}

function review(args: Args, io: Io): number {
  const allowListed = args.allowListedFile ? readAllowList(args.allowListedFile) : undefined;
  const reviews = reviewFiles(args.files, { destinations: args.destinations });
  const decision = decide(reviews, { allowEgressChange: args.allowEgressChange, allowListed });
  const findings = reviews.flatMap((r) => r.findings);
  if (args.format === "json") io.out(`${renderJson(reviews, decision, allowListed)}\n`);
  else if (args.format === "sarif") io.out(`${reviewSarif(reviews, decision)}\n`);
  else io.out(renderMarkdown(reviews, { decision, allowListed }));
  if (args.jsonFile) writeFileSync(args.jsonFile, `${renderJson(reviews, decision, allowListed)}\n`);
  if (args.sarifFile) writeFileSync(args.sarifFile, `${reviewSarif(reviews, decision)}\n`);
  if (!decision.refused) return EXIT.passed;
  io.err(`${[...findings.map((f) => `${TOOL_NAME}: refused: ${f.stack}: ${findingLine(f)}`), `${TOOL_NAME}: refused (egress check failed): ${decision.because}`].join("\n")}\n`);
  return EXIT.refused;
}

function drift(args: Args, io: Io): number {
  const drifts = reviewDriftFiles(args.files, { destinations: args.destinations });
  const findings = drifts.flatMap((d) => d.findings);
  if (args.format === "json") io.out(`${renderDriftJson(drifts)}\n`);
  else if (args.format === "sarif") io.out(`${renderSarif({ findings, warnings: drifts.flatMap((d) => d.warnings), files: new Map(drifts.map((d) => [d.stack, d.file!])) })}\n`);
  else io.out(renderDriftMarkdown(drifts));
  if (findings.length === 0) return EXIT.passed;
  io.err(`${findings.map((f) => `${TOOL_NAME}: egress drift: ${f.stack}: ${f.address} ${f.reason}`).join("\n")}\n`);
  return EXIT.refused;
}

/** The command: its exit code, never a throw for bad input. */
export function main(argv: string[], io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): number {
  try {
    const args = parse(argv);
    if (args === "help") {
      io.out(`${USAGE}\n`);
      return EXIT.passed;
    }
    return args.command === "review" ? review(args, io) : drift(args, io);
  } catch (err) {
    if (!(err instanceof GuardInputError)) throw err;
    io.err(`${TOOL_NAME}: ${err.message}\n`);
    return EXIT.cannotReview;
  }
}

/** `run-task`: the server, until a signal; its bad arguments end as any command's do. */
export async function runTaskMain(argv: string[], io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  try {
    const args = parseRunTaskArgs(argv);
    const allowListed = args.allowListedFile ? readAllowList(args.allowListedFile) : undefined;
    return await serveRunTask(args, allowListed, (line) => io.out(`${line}\n`));
  } catch (err) {
    if (!(err instanceof GuardInputError)) throw err;
    io.err(`${TOOL_NAME}: ${err.message}\n`);
    return EXIT.cannotReview;
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === "run-task") runTaskMain(argv.slice(1)).then((code) => process.exit(code));
  else process.exit(main(argv));
}
