/** The package's own version, for SARIF's tool driver: package.json sits beside the sources and above dist/. */
import { existsSync, readFileSync } from "fs";
import { join } from "path";

const file = [join(__dirname, "package.json"), join(__dirname, "..", "package.json")].find((f) => existsSync(f));
export const VERSION: string = file ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version : "0.0.0";
export const TOOL_NAME = "fixed-egress-guard";
