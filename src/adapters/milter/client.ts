// The MTA side of the milter protocol, as Postfix's milter8.c writes it: packets for every command
// and a client that reads the replies. Used by the tests (and the bench) to talk to the milter server.
import { connect, type Socket } from 'node:net';
import { PacketReader, type Packet } from './codec.js';
import { Cmd, Reply } from './protocol.js';

export type MilterReply =
  | { readonly kind: 'continue' | 'accept' | 'reject' | 'tempfail' }
  | { readonly kind: 'replycode'; readonly text: string }
  | {
      readonly kind: 'optneg';
      readonly version: number;
      readonly actions: number;
      readonly protocol: number;
      readonly macros: ReadonlyArray<readonly [number, string]>;
    }
  | { readonly kind: 'other'; readonly command: number }
  /** The server closed the connection instead of replying. */
  | { readonly kind: 'hang-up' };

export function packet(command: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + data.length, 0);
  head[4] = command;
  return Buffer.concat([head, data]);
}

const z = (...s: string[]): Buffer => Buffer.from(s.map((x) => `${x}\0`).join(''), 'utf8');

/** Every command an MTA sends, encoded. */
export const mta = {
  optneg(version = 6, actions = 0x1ff, protocol = 0x1fffff): Buffer {
    const d = Buffer.alloc(12);
    d.writeUInt32BE(version, 0);
    d.writeUInt32BE(actions, 4);
    d.writeUInt32BE(protocol, 8);
    return packet(Cmd.OPTNEG, d);
  },
  /** Macros sent before the command `forCmd`, as name/value pairs in the order given. */
  macro: (forCmd: number, pairs: ReadonlyArray<readonly [string, string]>) =>
    packet(Cmd.MACRO, Buffer.concat([Buffer.from([forCmd]), z(...pairs.flat())])),
  connect(hostname: string, address: string, port = 25): Buffer {
    const p = Buffer.alloc(2);
    p.writeUInt16BE(port, 0);
    return packet(Cmd.CONNECT, Buffer.concat([z(hostname), Buffer.from(address.includes(':') ? '6' : '4'), p, z(address)]));
  },
  helo: (name: string) => packet(Cmd.HELO, z(name)),
  mail: (...args: string[]) => packet(Cmd.MAIL, z(...args)),
  rcpt: (...args: string[]) => packet(Cmd.RCPT, z(...args)),
  data: () => packet(Cmd.DATA),
  header: (name: string, value: string) => packet(Cmd.HEADER, z(name, value)),
  eoh: () => packet(Cmd.EOH),
  body: (text: string) => packet(Cmd.BODY, Buffer.from(text)),
  eob: () => packet(Cmd.EOB),
  abort: () => packet(Cmd.ABORT),
  quit: () => packet(Cmd.QUIT),
  quitNc: () => packet(Cmd.QUIT_NC),
  unknown: (line: string) => packet(Cmd.UNKNOWN, z(line)),
};

export function decodeReply(p: Packet): MilterReply {
  switch (p.command) {
    case Reply.CONTINUE:
      return { kind: 'continue' };
    case Reply.ACCEPT:
      return { kind: 'accept' };
    case Reply.REJECT:
      return { kind: 'reject' };
    case Reply.TEMPFAIL:
      return { kind: 'tempfail' };
    case Reply.REPLYCODE:
      return { kind: 'replycode', text: p.data.toString('utf8', 0, p.data.indexOf(0) === -1 ? p.data.length : p.data.indexOf(0)) };
    case Reply.OPTNEG: {
      const d = p.data;
      const macros: Array<[number, string]> = [];
      for (let at = 12; at < d.length;) {
        const end = d.indexOf(0, at + 4);
        macros.push([d.readUInt32BE(at), d.toString('utf8', at + 4, end)]);
        at = end + 1;
      }
      return { kind: 'optneg', version: d.readUInt32BE(0), actions: d.readUInt32BE(4), protocol: d.readUInt32BE(8), macros };
    }
    default:
      return { kind: 'other', command: p.command };
  }
}

/** One milter connection: commands written as given, replies read in order. */
export class MilterClient {
  private readonly reader = new PacketReader();
  private readonly replies: MilterReply[] = [];
  private waiting: ((r: MilterReply) => void) | null = null;
  private closed = false;
  readonly ended: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const p of this.reader.push(chunk)) this.deliver(decodeReply(p));
    });
    this.ended = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.waiting?.({ kind: 'hang-up' });
        this.waiting = null;
        resolve();
      }),
    );
    socket.on('error', () => undefined);
  }

  static open(port: number, host = '127.0.0.1'): Promise<MilterClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new MilterClient(s)));
      s.once('error', reject);
    });
  }

  /** Writes packets that get no reply (MACRO, ABORT) or whose reply is read later. */
  send(...packets: Buffer[]): void {
    this.socket.write(Buffer.concat(packets));
  }

  /** Writes packets and waits for the one reply they get. */
  ask(...packets: Buffer[]): Promise<MilterReply> {
    this.send(...packets);
    return this.next();
  }

  next(): Promise<MilterReply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.closed) return Promise.resolve({ kind: 'hang-up' });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): Promise<void> {
    this.socket.end();
    return this.ended;
  }

  private deliver(r: MilterReply): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(r);
    } else this.replies.push(r);
  }
}
