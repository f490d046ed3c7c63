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

  constructor(problems: Problem[], scope?: IConstruct) {
    const where = scope ? `${scope.node.path}: ` : "";
    super(problems.map((p) => `${where}${p.field}: ${p.message}`).join("\n"));
    this.name = "ValidationError";
    this.problems = problems;
  }
}
