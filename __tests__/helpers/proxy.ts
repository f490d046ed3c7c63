/** A TCP relay in front of the emulator, so a test can take "AWS" away and bring it back with its state. */
import { createServer, Server, Socket, connect } from "net";

export interface Relay {
  readonly port: number;
  close(): Promise<void>;
  reopen(): Promise<void>;
}

export async function startRelay(targetPort: number, port = 0): Promise<Relay> {
  let server: Server;
  const sockets = new Set<Socket>();
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
  const bound = await listen(port);
  return {
    port: bound,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
    reopen: async () => {
      await listen(bound);
    },
  };
}
