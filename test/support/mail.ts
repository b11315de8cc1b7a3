// Reads a received message the way a mail client would: unfolded headers, and each MIME part decoded
// (quoted-printable, base64), so tests assert on what the reader sees, not on the transfer encoding.

export interface ParsedMail {
  /** Header lines, unfolded, in order: [name in lower case, value]. */
  headers: Array<[string, string]>;
  header(name: string): string | undefined;
  /** Decoded bodies by content type (text/plain, text/html). */
  parts: Map<string, string>;
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = split(raw);
  const parts = new Map<string, string>();
  collect(headers, body, parts);
  return { headers, header: (n) => headers.find(([k]) => k === n.toLowerCase())?.[1], parts };
}

function split(raw: string): { headers: Array<[string, string]>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const headers = head
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l): [string, string] => {
      const c = l.indexOf(':');
      return [l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim()];
    });
  return { headers, body };
}

function collect(headers: Array<[string, string]>, body: string, out: Map<string, string>): void {
  const type = headers.find(([k]) => k === 'content-type')?.[1] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = split(chunk.replace(/^\r\n/, ''));
      collect(part.headers, part.body, out);
    }
    return;
  }
  const cte = (headers.find(([k]) => k === 'content-transfer-encoding')?.[1] ?? '7bit').toLowerCase();
  let text = body;
  if (cte === 'quoted-printable') {
    text = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  } else if (cte === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  out.set(type.split(';')[0]!.trim().toLowerCase(), text);
}
