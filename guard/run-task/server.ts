/**
 * `fixed-egress-guard run-task`: an HTTP server (Node's own http) that HCP Terraform calls as a run task. POST `/`
 * with the request; the signature is checked when a key is set (401 unsigned, 403 wrongly signed, nothing done);
 * the answer is 200 at once, the review and the callback follow. One log line per request.
 */
import { IncomingMessage, Server, ServerResponse, createServer } from "http";
import { AddressInfo } from "net";
import { SIGNATURE_HEADER, screen } from "./contract";
import { TaskOptions, handle } from "./task";

export interface ServerOptions extends TaskOptions {
  readonly port: number;
  /** the HMAC key HCP Terraform signs with; unset: unsigned requests are accepted */
  readonly key?: string;
  readonly log: (line: string) => void;
}

/** A request body larger than this is refused (a run task request is a few KB). */
const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const answer = (res: ServerResponse, status: number, text: string) => {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
};

async function serve(req: IncomingMessage, res: ServerResponse, o: ServerOptions): Promise<void> {
  const where = `${req.method} ${req.url}`;
  if (req.url !== "/" && !req.url?.startsWith("/?")) return (answer(res, 404, "not found: POST the run task request to /"), o.log(`${where} 404`));
  if (req.method !== "POST") return (answer(res, 405, "POST the run task request to /"), o.log(`${where} 405`));
  const body = await readBody(req);
  if (!body) return (answer(res, 413, "request body too large"), o.log(`${where} 413`));
  const screened = screen(body, req.headers[SIGNATURE_HEADER] as string | undefined, o.key);
  if (!("request" in screened)) return (answer(res, screened.status, screened.text), o.log(`${where} ${screened.status} (${screened.text}${screened.status === 200 ? "" : "; nothing done"})`));
  const { request } = screened;
  answer(res, 200, "accepted");
  const run = `${request.stage} ${request.run_id ?? request.task_result_id ?? ""}`.trim();
  try {
    const result = await handle(request, o);
    o.log(`${where} 200 (${run}: ${result.data.attributes.status}: ${result.data.attributes.message})`);
  } catch (err) {
    o.log(`${where} 200 (${run}: the result could not be delivered: ${(err as Error).message})`);
  }
}

export function startRunTaskServer(o: ServerOptions): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    serve(req, res, o).catch((err) => {
      if (!res.headersSent) answer(res, 500, "internal error");
      o.log(`${req.method} ${req.url} 500 (${(err as Error).message})`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, port, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
