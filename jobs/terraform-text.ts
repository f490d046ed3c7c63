/** What people need from Terraform's output: its errors, its outcome, a held lock and how to release it. */
import { fail } from "./cli";
import { shown } from "./paths";
import type { StepResult } from "./steps";

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
