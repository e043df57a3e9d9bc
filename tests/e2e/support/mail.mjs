// Reading the mail the SMTP sink received: waiting for a message in its Maildir, a minimal
// MIME parser, and the links in a mail (checked to point at the server).
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { waitFor } from './services.mjs';

const MAIL_TIMEOUT_MS = 20_000;

/**
 * Waits until the Maildir holds a message to `to` whose subject contains `subject` and which
 * `match` accepts (e.g. to tell apart two mails with the same subject), and returns it parsed:
 * the newest one, should there be several. The result carries `file`, the message's path.
 */
export async function waitForMail(maildir, { to, subject, match = () => true, timeoutMs = MAIL_TIMEOUT_MS }) {
  const newDir = path.join(maildir, 'new');
  const wanted = to.toLowerCase();
  return waitFor(`a mail to ${to} with subject "${subject}"`, async () => {
    const names = await fsp.readdir(newDir).catch(() => []);
    const matches = [];
    for (const name of names) {
      const file = path.join(newDir, name);
      const [raw, stat] = await Promise.all([fsp.readFile(file), fsp.stat(file)]);
      const mail = { ...parseMail(raw), file, mtime: stat.mtimeMs };
      // Compare whole addresses: a plain substring test would let a@x.com match b-a@x.com.
      const recipients = addresses([mail.header('to'), mail.header('x-rcptto')].join(','));
      if (recipients.includes(wanted) && mail.subject.includes(subject) && match(mail)) {
        matches.push(mail);
      }
    }
    return matches.sort((a, b) => b.mtime - a.mtime)[0];
  }, { timeoutMs });
}

/** The lower-cased email addresses in an address-list header ("Name <a@b>, c@d"). */
function addresses(header) {
  return [...header.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map(([address]) => address.toLowerCase());
}

/**
 * The http://127.0.0.1:PORT/... links of a mail, in order: from the plain-text part, or from the
 * HTML part when there is no text part.
 */
export function mailLinks(mail) {
  const source = mail.text ?? mail.html?.replaceAll('&amp;', '&') ?? '';
  return [...source.matchAll(/http:\/\/127\.0\.0\.1:\d+\/[^\s<>"'()[\]]*/g)].map(([link]) =>
    link.replace(/[.,;:!?]+$/, ''), // sentence punctuation after a link is not part of it
  );
}

/**
 * A minimal RFC 5322 / MIME reader: enough for the mail usher sends (multipart/alternative with
 * text and HTML parts in quoted-printable, base64 or 7bit). The file is read as latin1 so that
 * one char is one byte; bytes are turned into text only once a part is decoded, per its charset.
 */
export function parseMail(raw) {
  const entity = parseEntity(Buffer.isBuffer(raw) ? raw.toString('latin1') : raw);
  const leaves = [];
  collectLeaves(entity, leaves);
  const firstOf = (type) => leaves.find((leaf) => leaf.type === type)?.content;
  return {
    header: (name) => decodeHeader(entity.headers.get(name.toLowerCase()) ?? ''),
    subject: decodeHeader(entity.headers.get('subject') ?? ''),
    text: firstOf('text/plain'),
    html: firstOf('text/html'),
  };
}

function parseEntity(source) {
  const separator = /\r?\n\r?\n/.exec(source);
  const head = separator ? source.slice(0, separator.index) : source;
  const body = separator ? source.slice(separator.index + separator[0].length) : '';
  const headers = new Map();
  // Unfold continuation lines first, then the first occurrence of each header wins.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function parseContentType(value) {
  const [type, ...rest] = (value || 'text/plain').split(';');
  const params = {};
  for (const [, name, raw] of rest.join(';').matchAll(/([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]+)/g)) {
    params[name.toLowerCase()] = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
  }
  return { type: type.trim().toLowerCase(), params };
}

function collectLeaves(entity, leaves) {
  const { type, params } = parseContentType(entity.headers.get('content-type'));
  if (type.startsWith('multipart/') && params.boundary) {
    for (const part of splitMultipart(entity.body, params.boundary)) {
      collectLeaves(parseEntity(part), leaves);
    }
    return;
  }
  const encoding = (entity.headers.get('content-transfer-encoding') || '7bit').toLowerCase();
  const bytes = decodeTransferEncoding(entity.body, encoding);
  leaves.push({ type, content: decodeCharset(bytes, params.charset) });
}

function splitMultipart(body, boundary) {
  const delimiter = `--${boundary}`;
  const parts = [];
  let current = null; // null before the first delimiter (the preamble) and after the last
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      if (current) parts.push(current.join('\r\n'));
      if (line.slice(delimiter.length).startsWith('--')) break; // close delimiter
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  return parts;
}

function decodeTransferEncoding(body, encoding) {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'latin1'); // 7bit, 8bit, binary
}

/** RFC 2045 §6.7: `=` at a line end is a soft line break, `=XX` is one byte in hex. */
export function decodeQuotedPrintable(text) {
  const unfolded = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < unfolded.length; i++) {
    const hex = unfolded[i] === '=' ? unfolded.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unfolded.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeCharset(bytes, charset = 'utf-8') {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown label: best effort
  }
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?utf-8?B?...?=`), as lettre uses for non-ASCII. */
function decodeHeader(value) {
  return Buffer.from(value, 'latin1')
    .toString('utf8') // raw UTF-8 headers (RFC 6532) stay readable
    .replace(/(\?=)\s+(?==\?)/g, '$1') // whitespace between encoded words is not text
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, charset, kind, text) => {
      const bytes = kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : decodeQuotedPrintable(text.replaceAll('_', ' '));
      return decodeCharset(bytes, charset);
    });
}

/**
 * The link in a mail whose path is `expectedPath` (a string, then it must carry a token query
 * parameter, or a RegExp), checked to point at the server at `origin`.
 */
export function linkIn(mail, expectedPath, origin) {
  const links = mailLinks(mail);
  const wanted = (candidate) => {
    const { pathname: linkPath } = new URL(candidate);
    return typeof expectedPath === 'string' ? linkPath === expectedPath : expectedPath.test(linkPath);
  };
  const found = links.find(wanted);
  assert.ok(found, `no ${expectedPath} link in "${mail.subject}"; links found: ${links.join(', ') || 'none'}`);
  assert.equal(new URL(found).origin, origin, 'mail links must use the server address');
  if (typeof expectedPath === 'string') {
    assert.ok(new URL(found).searchParams.get('token'), `${found} has no token`);
  }
  return found;
}
