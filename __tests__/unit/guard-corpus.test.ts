/**
 * The guard judged by experiment: every plan of the egress corpus (networks written four ways, each variant
 * applied on the emulator and every private subnet's egress read by an oracle that does not know the guard;
 * scripts/corpus/generate.ts) is refused exactly when the oracle saw egress move.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { judge, matrix, renderCorpus } from "../../scripts/corpus/matrix";

const judged = judge();

describe("the egress corpus", () => {
  it("holds moving and harmless plans of every network style, at least as many harmless as moving", () => {
    for (const style of new Set(judged.map((j) => j.style))) {
      const mine = judged.filter((j) => j.style === style);
      expect(mine.filter((j) => j.moves).length).toBeGreaterThan(0);
      expect(mine.filter((j) => !j.moves).length).toBeGreaterThanOrEqual(mine.filter((j) => j.moves).length);
    }
  });

  it.each(judged.map((j) => [`${j.style}/${j.variant}`, j] as const))("%s: the guard refuses exactly when the oracle saw egress move", (_name, j) => {
    expect({ refused: j.refused, evidence: j.evidence }).toEqual({ refused: j.moves, evidence: j.evidence });
  });

  it("is shown in docs/guard.md as it is (npm run docs:corpus)", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "guard.md"), "utf8");
    expect(renderCorpus(doc, matrix(judged))).toBe(doc);
  });
});
