// The benchmark's webhook sender and HTTP sink, each in a process of its own (`node bench.peer.js client|sink`,
// forked by run.ts): like real senders and targets they do not share the runtime's event loop, though on this
// machine they still share its cores. They talk to run.ts over the IPC channel.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What run.ts asks the client: `closed` keeps `concurrency` requests in flight; `open` sends at `rate`/s. */
export type ClientCommand =
  | { type: 'closed'; firstSeq: number; count: number; concurrency: number }
  | { type: 'open'; firstSeq: number; rate: number; seconds: number };

export interface ClientReport {
  type: 'report';
  /** Latency of every request in ms; for `open`, from the moment it was due (a late send counts as waiting). */
  latencies: number[];
  accepted: number[];
  refused: number;
  /** From the first request to the last answer. */
  seconds: number;
  cpuMs: number;
}

export type SinkReport = { type: 'counts'; counts: Array<[number, number]>; cpuMs: number };

const send = (message: unknown) => process.send!(message);
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e3;
};

function runSink(): void {
  const received = new Map<number, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const seq = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { seq: number }).seq;
        received.set(seq, (received.get(seq) ?? 0) + 1);
      } catch {
        // not a benchmark request
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sink` });
  });
  process.on('message', () => send({ type: 'counts', counts: [...received.entries()], cpuMs: cpuMs() } satisfies SinkReport));
  process.on('disconnect', () => process.exit(0));
}

function runClient(port: number, hookPath: string): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const post = (seq: number): Promise<number> =>
    new Promise((resolve) => {
      const body = JSON.stringify({ seq, pad: 'x'.repeat(64) });
      const req = http.request(
        { agent, host: '127.0.0.1', port, path: hookPath, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });

  async function run(command: ClientCommand): Promise<ClientReport> {
    const latencies: number[] = [];
    const accepted: number[] = [];
    let refused = 0;
    const one = async (seq: number, since: bigint) => {
      const status = await post(seq);
      latencies.push(Number(process.hrtime.bigint() - since) / 1e6);
      if (status === 202) accepted.push(seq);
      else refused += 1;
    };
    const cpuBefore = cpuMs();
    const start = process.hrtime.bigint();
    if (command.type === 'closed') {
      let next = 0;
      await Promise.all(
        Array.from({ length: command.concurrency }, async () => {
          while (next < command.count) {
            const seq = command.firstSeq + next;
            next += 1;
            await one(seq, process.hrtime.bigint());
          }
        }),
      );
    } else {
      const total = Math.round(command.rate * command.seconds);
      const intervalNs = 1e9 / command.rate;
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; i < total; i += 1) {
        const due = start + BigInt(Math.round(i * intervalNs));
        const waitMs = Number(due - process.hrtime.bigint()) / 1e6;
        if (waitMs >= 1) await new Promise((resolve) => setTimeout(resolve, waitMs));
        const request = one(command.firstSeq + i, due).finally(() => inFlight.delete(request));
        inFlight.add(request);
      }
      await Promise.all(inFlight);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { type: 'report', latencies, accepted, refused, seconds, cpuMs: cpuMs() - cpuBefore };
  }

  process.on('message', (command: ClientCommand) => void run(command).then(send));
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

const [role, port, hookPath] = process.argv.slice(2);
if (role === 'sink') runSink();
else if (role === 'client' && port && hookPath) runClient(Number(port), hookPath);
else throw new Error('usage: bench.peer.js sink | client <port> <path>');
