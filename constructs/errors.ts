import { IConstruct } from "constructs";

/** One problem with the props of a construct: the field (a path such as `privateSubnetCidrs[1]`) and a sentence. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

/**
 * Thrown by a construct's constructor when its props cannot work. The message names the construct path,
 * every offending field, the value given and the fix; nothing has been added to the tree when it is thrown.
 */
export class ValidationError extends Error {
  public readonly problems: Problem[];

  /** `scope` names where: a construct, or the path it would have had (validation runs before it exists). */
  constructor(problems: Problem[], scope?: IConstruct | string) {
    const path = typeof scope === "string" ? scope : scope?.node.path;
    const where = path ? `${path}: ` : "";
    super(problems.map((p) => `${where}${p.field}: ${p.message}`).join("\n"));
    this.name = "ValidationError";
    this.problems = problems;
  }
}
