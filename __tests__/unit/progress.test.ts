/** The progress line of make deploy: what Terraform is doing, read from its own output. */
import { Progress } from "../../jobs/steps";

describe("Progress", () => {
  it("counts resources done of planned and names the one waited on the longest", () => {
    const p = new Progress("apply", 4);
    for (const line of [
      "aws_vpc.v: Creating...",
      "aws_eip.e: Creating...",
      "aws_eip.e: Creation complete after 1s [id=eipalloc-1]",
      "aws_vpc.v: Still creating... [10s elapsed]",
      "aws_route.r: Modifying... [id=r-1]",
      "aws_route.r: Modifications complete after 0s [id=r-1]",
      "aws_subnet.old: Destroying... [id=subnet-1]",
      "aws_subnet.old: Destruction complete after 1s",
    ]) {
      p.take(line);
    }
    expect(p.render()).toMatch(/^ {4}apply: 3\/4 done, waiting on aws_vpc\.v \(\d+ s\), \d+ s$/);
    p.take("aws_vpc.v: Creation complete after 12s [id=vpc-1]");
    expect(p.render()).toMatch(/^ {4}apply: 4\/4 done, \d+ s$/);
  });

  it("counts refreshed resources while planning, and reads of data sources are not resources", () => {
    const p = new Progress("plan");
    p.take("aws_vpc.v: Refreshing state... [id=vpc-1]");
    p.take("aws_subnet.s: Refreshing state... [id=subnet-1]");
    p.take("data.aws_region.r: Reading...");
    expect(p.render()).toMatch(/^ {4}plan: 2 refreshed, waiting on data\.aws_region\.r \(\d+ s\), \d+ s$/);
    p.take("data.aws_region.r: Read complete after 0s [id=ap-northeast-1]");
    expect(p.render()).toMatch(/^ {4}plan: 2 refreshed, \d+ s$/);
  });
});
