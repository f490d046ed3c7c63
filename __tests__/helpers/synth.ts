/** Synthesis helpers for the unit suites: parsed JSON and reference strings, so tests assert relationships. */
import "cdktf/lib/testing/adapters/jest"; // types of the cdktf matchers (setup.js installs them)
import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Synthesized {
  readonly text: string;
  readonly json: Json;
}

/** Synthesizes what `build` adds to a fresh stack (with validations, as a real synth does). */
export function synthStack(build: (scope: Construct) => void): Synthesized {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
  build(stack);
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) };
}

/** The resources (or data sources with kind "data") of one type, as [logical id, body] pairs in synth order. */
export function all(s: Pick<Synthesized, "json">, type: string, kind: "resource" | "data" = "resource"): [string, Json][] {
  return Object.entries((s.json[kind]?.[type] ?? {}) as Record<string, Json>);
}

/** The single resource of a type; fails when there is not exactly one. */
export function one(s: Pick<Synthesized, "json">, type: string): [string, Json] {
  const found = all(s, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** The logical id of the resource whose construct path ends with `pathSuffix` (e.g. "private/subnet-1"). */
export function byPath(s: Pick<Synthesized, "json">, type: string, pathSuffix: string): [string, Json] {
  // Logical ids are the construct path joined by "_" plus a hash; Testing.synth drops the path metadata.
  const want = `_${pathSuffix.replace(/\//g, "_")}`;
  const hit = all(s, type).find(([id]) => id.replace(/_[0-9A-F]{8}$/, "").endsWith(want));
  if (!hit) throw new Error(`no ${type} at */${pathSuffix}`);
  return hit;
}

/** "${aws_subnet.x.id}" */
export const ref = (type: string, logicalId: string, attr = "id"): string => `\${${type}.${logicalId}.${attr}}`;
