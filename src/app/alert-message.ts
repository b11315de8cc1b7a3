// What a notification says: the subject, plain-text and HTML bodies of the email and the webhook's JSON.
// Everything from outside (addresses, reasons, policy names) is untrusted: the subject is one line with
// control characters removed, and the HTML escapes every value.
import type { StoredAlert } from './ports.js';
import { present, type AlertView } from './alerts.js';

export interface AlertEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** One line, no control characters: nothing in it can start a new header. */
export const oneLine = (s: string, max = 200): string => {
  const flat = s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const escapeHtml = (s: string): string => oneLine(s, 1000).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Where the portal shows the entity (and the alert). */
export function portalLinks(a: StoredAlert, publicUrl: string): { entity: string; alert: string } {
  const base = publicUrl.replace(/\/+$/, '');
  const q = new URLSearchParams({ entityType: a.entityType, identity: a.entity, tenant: a.tenantId });
  return { entity: `${base}/restrictedentities?${q.toString()}`, alert: `${base}/alerts?${new URLSearchParams({ id: a.id, tenant: a.tenantId }).toString()}` };
}

/** The Reason string (`key=value;…`) as readable lines: the limit and the counts. */
function reasonLines(reason: string): string[] {
  return reason
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => p.replace('=', ': '));
}

export function alertEmail(a: StoredAlert, publicUrl: string): AlertEmail {
  const who = a.entityType === 'Connector' ? `Inbound connector ${a.entity}` : a.entityType === 'Tenant' ? `Tenant ${a.entity}` : a.entity;
  const links = portalLinks(a, publicUrl);
  const facts: Array<[string, string]> = [
    ['Alert policy', a.policyName],
    ['Severity', a.severity],
    [a.entityType === 'Mailbox' ? 'User' : a.entityType, a.entity],
    ['When (UTC)', new Date(a.firstEventAt).toISOString()],
    ['Events', String(a.eventCount)],
    ['Tenant', a.tenantId],
  ];
  const why = reasonLines(a.reason);
  const text = [
    `${a.policyName}: ${who}`,
    '',
    ...facts.map(([k, v]) => `${k}: ${oneLine(v, 1000)}`),
    '',
    'Why:',
    ...why.map((l) => `  ${oneLine(l, 1000)}`),
    '',
    `Open it in Outgate: ${links.entity}`,
    `The alert: ${links.alert}`,
    '',
  ].join('\n');
  const rows = facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const html = [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(a.policyName)}</h2>`,
    `<p>${escapeHtml(who)}</p>`,
    `<table>${rows}</table>`,
    `<h3>Why</h3><ul>${why.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`,
    `<p><a href="${escapeHtml(links.entity)}">Open it in Outgate</a> · <a href="${escapeHtml(links.alert)}">The alert</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject: oneLine(`[Outgate] ${a.severity}: ${a.policyName} - ${a.entity}`), text, html };
}

/** The webhook's JSON body: the alert as the API shows it, and the portal links. */
export function alertPayload(a: StoredAlert, publicUrl: string): { Type: 'Alert'; Alert: AlertView; Links: { Entity: string; Alert: string } } {
  const links = portalLinks(a, publicUrl);
  return { Type: 'Alert', Alert: present(a), Links: { Entity: links.entity, Alert: links.alert } };
}
