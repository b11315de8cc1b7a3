// SMTP sink on loopback that records what Postfix relays to it, so tests can see which mail got through.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  messages: ReceivedMessage[];
  /** Resolves with the first message (already received or arriving later) matching predicate. */
  waitFor(predicate: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

export async function startSmtpSink(listenPort = 0): Promise<SmtpSink> {
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<(m: ReceivedMessage) => void>();

  const server = new SMTPServer({
    // Must differ from the Postfix myhostname, or Postfix's smtp client reports a mail loop.
    name: 'sink.outgate.test',
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // Postfix caches idle relay connections; don't let close() wait the default 30 s for them.
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', callback);
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        const message: ReceivedMessage = {
          from: mailFrom === false ? '' : mailFrom.address,
          to: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        messages.push(message);
        for (const w of [...waiters]) w(message);
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  // smtp-server re-emits socket errors; without a listener a client reset would crash the test process.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    messages,
    waitFor(predicate, timeoutMs = 10_000) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          const got = messages.map((m) => `${m.from} -> ${m.to.join(',')}`).join('; ') || 'none';
          reject(new Error(`smtp-sink: no matching message within ${timeoutMs} ms (received: ${got})`));
        }, timeoutMs);
        const check = (m: ReceivedMessage) => {
          if (!predicate(m)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        waiters.add(check);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}
