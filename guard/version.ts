/**
 * The package's own version, for SARIF's tool driver: package.json sits beside the sources and above dist/; from
 * the app's bundles in the project's .build/ folder, it is guard/package.json. The first one of this name counts.
 */
import { existsSync, readFileSync } from "fs";
import { join } from "path";

const ours = (f: string) => existsSync(f) && (JSON.parse(readFileSync(f, "utf8")) as { name?: string }).name === "@fixed-egress/guard";
const file = [join(__dirname, "package.json"), join(__dirname, "..", "package.json"), join(__dirname, "..", "guard", "package.json")].find(ours);
export const VERSION: string = file ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "0.0.0";
export const TOOL_NAME = "fixed-egress-guard";
