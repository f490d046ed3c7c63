/** Where the jobs read and write: the project, its run folder (logs, plans, reviews) and the synthesized stacks. */
import { join, relative } from "path";

export const ROOT = join(__dirname, "..");
export const RUN_DIR = process.env.FIXED_EGRESS_RUN_DIR ?? join(ROOT, ".run");
/** Where cdktf writes the stacks (cdktf's --output). */
export const OUTDIR = process.env.FIXED_EGRESS_OUTDIR ?? join(ROOT, "cdktf.out");
export const stackDir = (stack: string) => join(OUTDIR, "stacks", stack);
/** A path as the user would type it: relative inside the project, absolute outside it. */
export const shown = (path: string) => (relative(ROOT, path).startsWith("..") ? path : relative(ROOT, path));
