// Drives swaks (a real SMTP client) and parses its transcript into per-command server replies.
import { spawn } from 'node:child_process';

export interface SwaksOptions {
  host?: string;
  port: number;
  from: string;
  to: string[];
  authUser?: string;
  authPassword?: string;
  /** e.g. "PLAIN" or "LOGIN"; default lets swaks pick from what the server offers. */
  authMechanism?: string;
  body?: string;
  helo?: string;
  timeoutMs?: number;
  extraArgs?: string[];
}

export interface SmtpReply {
  code: number;
  /** The reply exactly as on the wire, one line per SMTP reply line (e.g. "550 5.1.8 <a@b>: ..."). */
  lines: string[];
  /** lines joined with "\n": the thing to compare against in assertions. */
  text: string;
}

export interface SwaksResult {
  exitCode: number;
  transcript: string;
  banner?: SmtpReply;
  auth?: SmtpReply;
  mailFrom?: SmtpReply;
  /** Keyed by the recipient address as given in opts.to. */
  rcpt: Record<string, SmtpReply>;
  data?: SmtpReply;
  endOfData?: SmtpReply;
  accepted: boolean;
}

// swaks exit codes that mean the harness (not the SMTP server) failed: bad options, no connection,
// missing Perl modules. Everything else (22-28, 6) is an SMTP-level outcome a test wants to inspect.
const HARNESS_FAILURES = new Set([1, 2, 3, 4, 5, 10]);

export async function swaks(opts: SwaksOptions): Promise<SwaksResult> {
  const args = ['--server', opts.host ?? '127.0.0.1', '--port', String(opts.port)];
  args.push('--from', opts.from, '--to', opts.to.join(','));
  args.push('--helo', opts.helo ?? 'client.outgate.test');
  if (opts.authUser !== undefined) {
    args.push(opts.authMechanism ? `--auth=${opts.authMechanism}` : '--auth');
    args.push('--auth-user', opts.authUser, '--auth-password', opts.authPassword ?? '');
  }
  // "--body -" reads stdin: passing the text as an argument would make swaks open it as a file if one exists.
  args.push('--body', '-', ...(opts.extraArgs ?? []));

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { code, stdout, stderr } = await run('swaks', args, opts.body ?? 'Outgate harness test message\n', timeoutMs);
  const transcript = stdout + (stderr ? `\n[stderr]\n${stderr}` : '');
  if (code === null || HARNESS_FAILURES.has(code)) {
    throw new Error(`swaks failed (exit ${code ?? 'timeout/killed'}):\n${transcript}`);
  }
  return { exitCode: code, transcript, ...parseTranscript(stdout, opts.to) };
}

function run(cmd: string, args: string[], input: string, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message} (run scripts/ensure-packages.sh)`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // swaks may exit before reading the body
    child.stdin.end(input);
  });
}

type Parsed = Omit<SwaksResult, 'exitCode' | 'transcript'>;

export function parseTranscript(stdout: string, recipients: string[]): Parsed {
  const out: Parsed = { rcpt: {}, accepted: false };
  // swaks marks client lines " -> ", server replies "<- " (success) or "<** " (error).
  let command = 'banner';
  let pending: string[] = [];
  // Between "354" and the lone ".", client lines are message content, not commands.
  let inBody = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const server = /^<(?:-|\*\*) {1,2}(.*)$/.exec(line);
    if (server) {
      const text = server[1] ?? '';
      pending.push(text);
      // "250-" continues a multi-line reply; "250 " (or a bare code) ends it.
      if (/^\d{3}-/.test(text)) continue;
      store(out, command, pending, recipients);
      inBody = command === 'data' && text.startsWith('354');
      pending = [];
      continue;
    }
    const client = /^ -> (.*)$/.exec(line);
    if (!client) continue;
    const sent = client[1] ?? '';
    if (inBody) {
      if (sent === '.') [inBody, command] = [false, 'eod'];
      continue;
    }
    command = classify(sent, command);
  }
  out.accepted = out.endOfData?.code === 250;
  return out;
}

function classify(sent: string, previous: string): string {
  const upper = sent.toUpperCase();
  if (upper.startsWith('MAIL FROM:')) return 'mail';
  const rcpt = /^RCPT TO:\s*<?([^>\s]*)>?/i.exec(sent);
  if (rcpt) return `rcpt:${rcpt[1] ?? ''}`;
  if (upper === 'DATA') return 'data';
  if (upper.startsWith('AUTH ')) return 'auth';
  if (upper.startsWith('EHLO ') || upper.startsWith('HELO ')) return 'helo';
  if (upper === 'QUIT') return 'quit';
  // Base64 lines in an AUTH exchange belong to the AUTH command before them.
  return previous;
}

function store(out: Parsed, command: string, lines: string[], recipients: string[]): void {
  const reply: SmtpReply = { code: Number(lines.at(-1)?.slice(0, 3)), lines, text: lines.join('\n') };
  if (command === 'banner') out.banner = reply;
  else if (command === 'auth') out.auth = reply;
  else if (command === 'mail') out.mailFrom = reply;
  else if (command === 'data') out.data = reply;
  else if (command === 'eod') out.endOfData = reply;
  else if (command.startsWith('rcpt:')) {
    const addr = command.slice(5);
    // Key by the caller's spelling so tests can index with what they passed in.
    const key = recipients.find((r) => r.toLowerCase() === addr.toLowerCase()) ?? addr;
    out.rcpt[key] = reply;
  }
}
