// Alert email through the configured SMTP server: nodemailer, pooled, with TLS and auth options.
// Addresses go in as address objects and the envelope is set explicitly, so nothing in a recipient
// or a subject can add a header or a recipient; nodemailer encodes the header values.
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when offered (required with requireTLS). */
  readonly secure: boolean;
  readonly requireTLS: boolean;
  readonly ignoreTLS: boolean;
  readonly rejectUnauthorized: boolean;
  readonly user: string;
  readonly pass: string;
  readonly maxConnections: number;
}

export class SmtpNotifier {
  private readonly transport: Transporter | null;

  constructor(
    opts: SmtpOptions,
    private readonly from: string,
  ) {
    this.transport =
      opts.host === ''
        ? null
        : nodemailer.createTransport({
            pool: true,
            maxConnections: opts.maxConnections,
            host: opts.host,
            port: opts.port,
            secure: opts.secure,
            requireTLS: opts.requireTLS,
            ignoreTLS: opts.ignoreTLS,
            auth: opts.user === '' ? undefined : { user: opts.user, pass: opts.pass },
            tls: { rejectUnauthorized: opts.rejectUnauthorized },
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          });
  }

  async sendEmail(to: string, m: { subject: string; text: string; html: string }): Promise<void> {
    if (!this.transport) throw new Error('No SMTP server is configured for alert email (alerts.smtp.host); it is sent once one is.');
    try {
      await this.transport.sendMail({
        from: this.from,
        to: { name: '', address: to },
        envelope: { from: addressOf(this.from), to: [to] },
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number };
      // The server refused the recipient for good: retrying cannot help.
      const permanent = e.code === 'EENVELOPE' && (e.responseCode ?? 0) >= 500;
      throw Object.assign(new Error(`SMTP: ${e.message}`), { permanent });
    }
  }

  close(): void {
    this.transport?.close();
  }
}

/** The bare address of `Name <address>` or `address`. */
function addressOf(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}
