/**
 * The parts of the protocol specification that come from the code: tables of error codes, ignore reasons,
 * fields, limits and defaults, and every wire example. The examples are not written by hand: each is the
 * output of `@tock/protocol`'s `handle()` (the function tockd answers with) on a fixed clock, and the
 * generator fails when an example does not produce what the page says it does.
 *
 * Each part is a Markdown file that src/protocol.md includes with `<!--@include: ../generated/NAME.md-->`.
 */
import {
  buildKissOfDeath,
  buildNtpRequest,
  type Clock,
  classify,
  createHandlerContext,
  decodeNtpPacket,
  type HandleResult,
  type HandlerContext,
  type HandlerOptions,
  handle,
  IGNORE_REASONS,
  type Instant,
  JSON_ERROR_CODES,
  JSON_MAX_ID_LENGTH,
  JSON_MAX_REQUEST_BYTES,
  JsonErrorSchema,
  JsonTimeRequestSchema,
  JsonTimeResponseSchema,
  MAX_DATAGRAM_BYTES,
  NTP_PACKET_BYTES,
  NTP_UNIX_OFFSET_SECONDS,
  type NtpPacket,
  NtpServerOptionsSchema,
  readNtpRequest,
  referenceIdToString,
  secondsFromNtpShort,
  TEXT_FORMATS,
} from '@tock/protocol';
import { cell, code, table } from './markdown.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** T2 of every example: 2018-03-13T12:54:58.123456789Z, the lab report's date. */
export const EXAMPLE_T2: Instant = 1_520_945_698_123_456_789n;
/** T3 of every example: 41.7 µs after T2. */
export const EXAMPLE_T3: Instant = EXAMPLE_T2 + 41_700n;
/** The nonce tock's client put in the example NTP request (64 random bits in real use). */
export const EXAMPLE_NONCE = 0x5a7c_1de5_b043_78d8n;

const fixedClock: Clock = () => EXAMPLE_T3;

function context(options: HandlerOptions = {}, clock: Clock = fixedClock): HandlerContext {
  return createHandlerContext(clock, { timeZone: 'UTC', ...options });
}

function answer(datagram: Uint8Array, options?: HandlerOptions, clock?: Clock): HandleResult {
  return handle(datagram, EXAMPLE_T2, context(options, clock));
}

const bytesOf = (text: string): Uint8Array => encoder.encode(text);

/** Text with CR, LF and other control bytes shown as escapes: `Tue Mar 13 12:54:58 2018\r\n`. */
export function visible(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b === 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  // Non-ASCII bytes are shown as the UTF-8 text they form.
  return /[\x80-\xff]/.test(out) ? decoder.decode(bytes) : out;
}

/** A hex dump, 8 bytes a line, with offsets and the printable ASCII characters. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8) {
    const row = [...bytes.subarray(offset, offset + 8)];
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(4, '0')}  ${hex.padEnd(23)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** What each 8-byte row of an NTP header holds. */
const NTP_ROWS = [
  'LI, VN, mode | stratum | poll | precision | root delay',
  'root dispersion | reference id',
  'reference timestamp',
  'origin timestamp',
  'receive timestamp (T2)',
  'transmit timestamp (T3)',
];

/** A hex dump of an NTP packet, 8 bytes a line, each line labelled with the fields it holds. */
export function ntpDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8) {
    const hex = [...bytes.subarray(offset, offset + 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const label = NTP_ROWS[offset / 8] ?? 'extension field';
    lines.push(`${offset.toString().padStart(2, '0')}  ${hex.padEnd(23)}  ${label}`);
  }
  return lines.join('\n');
}

function describeResult(r: HandleResult): string {
  if (r.action === 'ignore') return `ignored: ${code(r.reason)}`;
  if (r.protocol === 'json' && r.error) {
    const envelope = JSON.parse(decoder.decode(r.bytes)) as { code: string };
    return `error envelope ${code(envelope.code)}`;
  }
  return `reply, ${r.bytes.length} bytes`;
}

const fence = (lang: string, body: string): string => `\`\`\`${lang}\n${body}\n\`\`\``;

// ---------------------------------------------------------------------------------------------------
// Classification

const NTP_REQUEST = buildNtpRequest(EXAMPLE_NONCE);

const CLASSIFY_SAMPLES: ReadonlyArray<{ readonly label: string; readonly bytes: Uint8Array }> = [
  { label: 'the lab client’s request', bytes: bytesOf('Time request') },
  { label: 'an empty datagram', bytes: new Uint8Array(0) },
  { label: 'a format keyword, any case', bytes: bytesOf('ISO\r\n') },
  { label: 'UTF-8 text', bytes: bytesOf('quelle heure est-il ?') },
  { label: 'text that starts like an NTP header (0x23)', bytes: bytesOf('# what time is it') },
  { label: 'a JSON request', bytes: bytesOf('{"v":1,"type":"time.request","id":"a1"}') },
  { label: 'JSON after white space', bytes: bytesOf('\n {"v":1,"type":"time.request","id":"a1"}') },
  { label: 'not JSON, though it starts with {', bytes: bytesOf('{hello') },
  { label: 'an NTPv4 client request', bytes: NTP_REQUEST },
  { label: 'binary with version bits 0', bytes: Uint8Array.of(0x00, 0x01, 0x02, 0x03) },
  { label: 'bytes that are not UTF-8', bytes: Uint8Array.of(0x68, 0x69, 0xff, 0xfe) },
  { label: `${MAX_DATAGRAM_BYTES + 1} bytes of text`, bytes: bytesOf('a'.repeat(MAX_DATAGRAM_BYTES + 1)) },
];

function shortBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return '(none)';
  if (bytes.length > 48) return `${code(visible(bytes.subarray(0, 8)))}… (${bytes.length} bytes)`;
  if (classify(bytes) === 'ntp' || classify(bytes) === 'unknown') {
    const hex = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${code(bytes.length > 8 ? `${hex} …` : hex)} (${bytes.length} bytes, hex)`;
  }
  const text = visible(bytes);
  return code(text.length > 24 ? `${text.slice(0, 22)}…` : text);
}

function classificationPart(): string {
  return table(
    ['Datagram', 'Bytes', '`classify()`', '`handle()`'],
    CLASSIFY_SAMPLES.map((s) => [
      cell(s.label),
      shortBytes(s.bytes),
      s.bytes.length > MAX_DATAGRAM_BYTES ? 'not called' : code(classify(s.bytes)),
      describeResult(answer(s.bytes)),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------
// Plain text

function textReply(request: string, options?: HandlerOptions): Uint8Array {
  const r = answer(bytesOf(request), options);
  if (r.action !== 'reply' || r.protocol !== 'text')
    throw new Error(`text request ${request} got no text reply`);
  return r.bytes;
}

function textFormatsPart(): string {
  const rows = TEXT_FORMATS.map((format) => {
    const reply = textReply(format);
    return [code(format), code(visible(reply)), String(reply.length)];
  });
  const zoned = textReply('iso', { timeZone: 'Asia/Kolkata' });
  rows.push([`${code('iso')} in Asia/Kolkata`, code(visible(zoned)), String(zoned.length)]);
  const ctimeZoned = textReply('ctime', { timeZone: 'America/New_York' });
  rows.push([`${code('ctime')} in America/New_York`, code(visible(ctimeZoned)), String(ctimeZoned.length)]);
  return table(['Request (keyword)', 'Reply', 'Reply bytes'], rows);
}

function textExamplePart(): string {
  const request = bytesOf('Time request');
  const reply = textReply('Time request');
  return [
    'Request, 12 bytes:',
    '',
    fence('text', hexDump(request)),
    '',
    `Reply (server format \`ctime\`, zone UTC), ${reply.length} bytes:`,
    '',
    fence('text', hexDump(reply)),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// JSON envelope

type Shape = Record<string, { safeParse(v: unknown): { success: boolean } }>;

/** What each field of each envelope means: the rows come from the zod schemas, the words from here. */
const JSON_FIELD_TEXT: Record<
  'request' | 'response' | 'error',
  Record<string, { type: string; text: string }>
> = {
  request: {
    v: { type: 'number', text: 'Envelope version. Always `1` in this version.' },
    type: { type: 'string', text: 'Always `"time.request"`.' },
    id: {
      type: 'string',
      text: `The client's nonce, echoed in the reply: 1 to ${JSON_MAX_ID_LENGTH} visible ASCII characters (0x21 to 0x7E, no spaces). Use a fresh random value per request (tock uses 96 random bits, 16 base64url characters) and accept only a reply that carries it.`,
    },
    t1: {
      type: 'number',
      text: 'When the client sent the request: milliseconds since the Unix epoch, fraction allowed, finite and not negative. Echoed in the reply. A client may leave it out and keep T1 itself (tock does).',
    },
    format: {
      type: 'string',
      text: `Text format of the reply's \`time\` field: one of ${TEXT_FORMATS.map((f) => `\`${f}\``).join(', ')}. Default: the server's (tockd: \`--format\`).`,
    },
  },
  response: {
    v: { type: 'number', text: '`1`.' },
    type: { type: 'string', text: '`"time.response"`.' },
    id: { type: 'string', text: "The request's `id`." },
    t1: { type: 'number', text: "The request's `t1`, when it had one. Left out otherwise." },
    t2: {
      type: 'number',
      text: 'T2: when the server received the request. Milliseconds since the Unix epoch, with the fraction to the microsecond (at most three decimals).',
    },
    t3: {
      type: 'number',
      text: 'T3: when the server sent the reply. Same units as `t2`; never earlier than `t2`.',
    },
    time: {
      type: 'string',
      text: "The server's time T3 as text, in the requested format (or the server's), in the server's time zone. At most 64 characters.",
    },
  },
  error: {
    v: { type: 'number', text: '`1`.' },
    type: { type: 'string', text: '`"error"`.' },
    id: {
      type: 'string',
      text: "The request's `id`, when the request was a JSON object with a valid `id` (even if something else in it was wrong). Left out otherwise.",
    },
    code: {
      type: 'string',
      text: 'A stable error code from the table below. Readers must accept any code of the form `^[A-Z][A-Z0-9_]*$` (at most 64 characters): later servers may add codes.',
    },
    message: {
      type: 'string',
      text: 'What was wrong, for a person: at most 200 characters, not meant to be parsed. For `INVALID_FIELD` it starts with the field name.',
    },
  },
};

function fieldsPart(kind: 'request' | 'response' | 'error', shape: Shape): string {
  const words = JSON_FIELD_TEXT[kind];
  const keys = Object.keys(shape);
  const undocumented = keys.filter((k) => !(k in words));
  const stale = Object.keys(words).filter((k) => !keys.includes(k));
  if (undocumented.length > 0 || stale.length > 0) {
    throw new Error(
      `JSON ${kind} fields: the schema has [${undocumented.join(', ')}] that apps/docs/scripts/protocol-parts.ts does not describe, and the page describes [${stale.join(', ')}] that the schema does not have`,
    );
  }
  return table(
    ['Field', 'Type', 'Required', 'Meaning'],
    keys.map((k) => {
      const required = !shape[k]!.safeParse(undefined).success;
      return [code(k), words[k]!.type, required ? 'yes' : 'no', cell(words[k]!.text)];
    }),
  );
}

function jsonReply(request: string, options?: HandlerOptions): { bytes: Uint8Array; text: string } {
  const r = answer(bytesOf(request), options);
  if (r.action !== 'reply' || r.protocol !== 'json')
    throw new Error(`JSON request ${request} got no JSON reply`);
  return { bytes: r.bytes, text: decoder.decode(r.bytes) };
}

function jsonExamplePart(): string {
  const plain = '{"v":1,"type":"time.request","id":"c0ffee"}';
  const full = '{"v":1,"type":"time.request","id":"c0ffee","t1":1520945698100.25,"format":"iso"}';
  const a = jsonReply(plain);
  const b = jsonReply(full);
  return [
    `The smallest request (${bytesOf(plain).length} bytes) and its reply (${a.bytes.length} bytes):`,
    '',
    fence('json', `${plain}\n${a.text}`),
    '',
    `With \`t1\` and \`format\` (${bytesOf(full).length} bytes), and the reply (${b.bytes.length} bytes):`,
    '',
    fence('json', `${full}\n${b.text}`),
  ].join('\n');
}

/** A request that makes the server answer with each error code. */
const JSON_ERROR_SAMPLES: Record<string, string> = {
  MALFORMED_JSON: '{"v":1,"type":"time.request","id":"a1"',
  UNSUPPORTED_VERSION: '{"v":2,"type":"time.request","id":"a1"}',
  UNKNOWN_TYPE: '{"v":1,"type":"time.query","id":"a1"}',
  INVALID_FIELD: '{"v":1,"type":"time.request","id":"a1","format":"rfc2822"}',
  REQUEST_TOO_LARGE: `{"v":1,"type":"time.request","id":"a1","padding":"${'x'.repeat(JSON_MAX_REQUEST_BYTES - 40)}"}`,
};

function jsonErrorCodesPart(): string {
  const rows = Object.entries(JSON_ERROR_CODES).map(([errorCode, meaning]) => {
    const sample = JSON_ERROR_SAMPLES[errorCode];
    if (sample === undefined) {
      process.stderr.write(`docs: no example request for the JSON error code ${errorCode}\n`);
      return [code(errorCode), cell(meaning), '—'];
    }
    const reply = jsonReply(sample);
    const got = (JSON.parse(reply.text) as { code?: string }).code;
    if (got !== errorCode) throw new Error(`the example request for ${errorCode} got ${got ?? 'no error'}`);
    const shown =
      sample.length > 60
        ? `${code(`${sample.slice(0, 52)}…"}`)} (${bytesOf(sample).length} bytes)`
        : code(sample);
    return [code(errorCode), cell(meaning), `${shown} → ${code(reply.text)}`];
  });
  return table(['Code', 'Meaning', 'Example: request → reply'], rows);
}

// ---------------------------------------------------------------------------------------------------
// NTP

function ntpReply(request: Uint8Array, options?: HandlerOptions): Uint8Array {
  const r = answer(request, options);
  if (r.action !== 'reply' || r.protocol !== 'ntp')
    throw new Error('the NTP example request got no NTP reply');
  return r.bytes;
}

function decoded(bytes: Uint8Array): NtpPacket {
  const d = decodeNtpPacket(bytes);
  if (!d.ok) throw new Error('example NTP packet does not decode');
  return d.packet;
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;

/** An NTP timestamp as hex and as the UTC instant it names (era 0), to the nanosecond. */
function ntpTime(v: bigint): string {
  if (v === 0n) return `${code(hex64(v))}<br>zero`;
  if (v === EXAMPLE_NONCE) return `${code(hex64(v))}<br>the nonce`;
  const seconds = v >> 32n;
  const nanos = ((v & 0xffff_ffffn) * 1_000_000_000n + (1n << 31n)) >> 32n;
  const unix = seconds - NTP_UNIX_OFFSET_SECONDS;
  const iso = new Date(Number(unix) * 1000).toISOString().replace('.000Z', '');
  return `${code(hex64(v))}<br>${iso}.${nanos.toString().padStart(9, '0')}Z`;
}

/** The layout of the 48-byte header, with what tockd puts in each field of a reply, and why. */
const NTP_FIELDS: ReadonlyArray<{
  readonly key: keyof NtpPacket;
  readonly at: string;
  readonly name: string;
  readonly show: (p: NtpPacket) => string;
  readonly sets: string;
}> = [
  {
    key: 'leap',
    at: '0, bits 7–6',
    name: 'Leap indicator',
    show: (p) => String(p.leap),
    sets: '`leap` (tockd `--leap`, default 0). 3 tells clients the server is unsynchronised, and they discard the reply.',
  },
  {
    key: 'version',
    at: '0, bits 5–3',
    name: 'Version',
    show: (p) => String(p.version),
    sets: "The request's version, echoed: NTPv3 clients reject a reply with a version they do not speak.",
  },
  {
    key: 'mode',
    at: '0, bits 2–0',
    name: 'Mode',
    show: (p) => String(p.mode),
    sets: '4 (server). Requests must be mode 3 (client).',
  },
  {
    key: 'stratum',
    at: '1',
    name: 'Stratum',
    show: (p) => String(p.stratum),
    sets: '`stratum` (1 to 15, default 2). Never 0 in a time reply: clients read stratum 0 as a Kiss-o’-Death.',
  },
  {
    key: 'poll',
    at: '2',
    name: 'Poll',
    show: (p) => String(p.poll),
    sets: "The request's poll exponent, echoed (RFC 5905 §9.2).",
  },
  {
    key: 'precision',
    at: '3',
    name: 'Precision',
    show: (p) => String(p.precision),
    sets: '`precision`, log2 seconds (default −20, about 1 µs: the resolution of tockd’s clock).',
  },
  {
    key: 'rootDelay',
    at: '4–7',
    name: 'Root delay',
    show: (p) => `${secondsFromNtpShort(p.rootDelay)} s`,
    sets: '`rootDelay` in seconds, NTP short format (16.16 fixed point); default 0.',
  },
  {
    key: 'rootDispersion',
    at: '8–11',
    name: 'Root dispersion',
    show: (p) => `${Math.round(secondsFromNtpShort(p.rootDispersion) * 1e6) / 1e6} s`,
    sets: '`rootDispersion` in seconds, NTP short format; default 0.001 (rounded to 1/65536 s on the wire).',
  },
  {
    key: 'referenceId',
    at: '12–15',
    name: 'Reference id',
    show: (p) => (p.referenceId === 0 ? '0' : code(referenceIdToString(p.referenceId, 1))),
    sets: '`referenceId`: 1 to 4 ASCII characters, padded with zero bytes (`LOCL`, the default), or an IPv4 address written as its 4 bytes.',
  },
  {
    key: 'referenceTimestamp',
    at: '16–23',
    name: 'Reference timestamp',
    show: (p) => ntpTime(p.referenceTimestamp),
    sets: 'The start of the second in which the request arrived (T2 with the fraction cleared). tockd serves the host clock and does not know when it was last corrected; a recent, non-zero value keeps clients from flagging the server as never synchronised.',
  },
  {
    key: 'originTimestamp',
    at: '24–31',
    name: 'Origin timestamp',
    show: (p) => ntpTime(p.originTimestamp),
    sets: "The request's transmit timestamp, copied bit for bit. The client matches the reply to its request by it.",
  },
  {
    key: 'receiveTimestamp',
    at: '32–39',
    name: 'Receive timestamp',
    show: (p) => ntpTime(p.receiveTimestamp),
    sets: 'T2, when the request arrived, with the full 32-bit fraction.',
  },
  {
    key: 'transmitTimestamp',
    at: '40–47',
    name: 'Transmit timestamp',
    show: (p) => ntpTime(p.transmitTimestamp),
    sets: 'T3, read from the clock as late as possible, just before the reply is handed to the socket.',
  },
];

function ntpFieldsPart(): string {
  const reply = decoded(ntpReply(NTP_REQUEST));
  const keys = Object.keys(reply).filter((k) => k !== 'trailer');
  const missing = keys.filter((k) => !NTP_FIELDS.some((f) => f.key === k));
  if (missing.length > 0)
    throw new Error(`NTP packet fields not described in protocol-parts.ts: ${missing.join(', ')}`);
  return table(
    ['Bytes', 'Field', 'What tockd puts there'],
    NTP_FIELDS.map((f) => [f.at, f.name, cell(f.sets)]),
  );
}

/** The fields of the example request and of tockd's reply to it, decoded. */
function ntpValuesPart(): string {
  const request = decoded(NTP_REQUEST);
  const reply = decoded(ntpReply(NTP_REQUEST));
  return table(
    ['Field', 'Request', 'Reply'],
    NTP_FIELDS.map((f) => [f.name, f.show(request), f.show(reply)]),
  );
}

function ntpDefaultsPart(): string {
  const defaults = NtpServerOptionsSchema.parse({});
  const shape = NtpServerOptionsSchema.shape as unknown as Shape;
  return table(
    ['Setting', 'Default', 'Allowed'],
    Object.keys(shape).map((k) => {
      const value = (defaults as Record<string, unknown>)[k];
      const allowed: Record<string, string> = {
        stratum: 'an integer from 1 to 15',
        referenceId: '1 to 4 ASCII characters, or an IPv4 address',
        precision: 'an integer from −32 to 0',
        leap: '0, 1, 2 or 3',
        rootDelay: 'seconds, 0 to 65535',
        rootDispersion: 'seconds, 0 to 65535',
      };
      if (allowed[k] === undefined)
        throw new Error(`NTP server option ${k} is not described in protocol-parts.ts`);
      return [code(k), code(String(value)), allowed[k]!];
    }),
  );
}

function ntpExamplePart(): string {
  const reply = ntpReply(NTP_REQUEST);
  return [
    `Each line holds 8 bytes, with its offset in decimal and the fields it carries. The request is what \`tock\` sends: version 4, mode 3, every field zero but the transmit timestamp, which holds the nonce ${code(hex64(EXAMPLE_NONCE))}:`,
    '',
    fence('text', ntpDump(NTP_REQUEST)),
    '',
    'The reply, with tockd’s defaults:',
    '',
    fence('text', ntpDump(reply)),
  ].join('\n');
}

function kissOfDeathPart(): string {
  const kod = buildKissOfDeath(decoded(NTP_REQUEST), 'RATE');
  const p = decoded(kod);
  return [
    fence('text', ntpDump(kod)),
    '',
    table(
      ['Field', 'Value'],
      [
        ['Leap indicator', String(p.leap)],
        ['Version, mode', `${p.version}, ${p.mode}`],
        ['Stratum', String(p.stratum)],
        ['Reference id (the kiss code)', code(referenceIdToString(p.referenceId, 0))],
        [
          'Origin, receive and transmit timestamps',
          `${code(hex64(p.originTimestamp))} (the request's transmit timestamp)`,
        ],
      ],
    ),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Ignore reasons

function ntpWith(patch: (bytes: Uint8Array) => void, length = NTP_PACKET_BYTES): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes.set(NTP_REQUEST.subarray(0, Math.min(length, NTP_PACKET_BYTES)));
  patch(bytes);
  return bytes;
}

/** What each ignore reason means, and a datagram that gets it (checked against `handle()`). */
const IGNORE_REASON_TEXT: Record<string, { readonly when: string; readonly sample: () => HandleResult }> = {
  oversized: {
    when: `Larger than ${MAX_DATAGRAM_BYTES} bytes (\`MAX_DATAGRAM_BYTES\`). Not read at all.`,
    sample: () => answer(bytesOf('x'.repeat(MAX_DATAGRAM_BYTES + 1))),
  },
  unrecognized: {
    when: 'Binary that is neither NTP nor text: a control byte with NTP version bits outside 1 to 4, or bytes that are not valid UTF-8.',
    sample: () => answer(Uint8Array.of(0x00, 0x01, 0x02, 0x03)),
  },
  'text-looks-like-reply': {
    when: "A text datagram that is itself a `ctime` or ISO time line: another server's reply. Answering it would let two servers bounce replies at each other forever when a source address is forged.",
    sample: () => answer(bytesOf('Tue Mar 13 12:54:58 2018\r\n')),
  },
  'json-not-a-request': {
    when: 'A JSON object whose `type` is `"time.response"` or `"error"`: a reply, not a request. Not answered, not even with an error, for the same reason.',
    sample: () => answer(bytesOf('{"v":1,"type":"error","code":"MALFORMED_JSON","message":"x"}')),
  },
  'ntp-truncated': {
    when: `NTP shorter than ${NTP_PACKET_BYTES} bytes.`,
    sample: () => answer(NTP_REQUEST.subarray(0, 47)),
  },
  'ntp-bad-version': {
    when: 'NTP version 0, 5, 6 or 7. (`classify` already takes only versions 1 to 4 for NTP, so through `handle()` such a datagram is `unrecognized`; `readNtpRequest` reports this reason to callers that use it directly.)',
    sample: () => {
      const read = readNtpRequest(ntpWith((b) => (b[0] = 0x2b)));
      return read.ok ? answer(NTP_REQUEST) : { action: 'ignore', protocol: 'ntp', reason: read.reason };
    },
  },
  'ntp-control-message': {
    when: 'NTP mode 6 (control messages, as `ntpq` sends). Never answered: the reply to a small query can be large.',
    sample: () => answer(ntpWith((b) => (b[0] = 0x26))),
  },
  'ntp-private-message': {
    when: 'NTP mode 7 (private messages such as `monlist`, the classic amplification attack). Never answered.',
    sample: () => answer(ntpWith((b) => (b[0] = 0x27))),
  },
  'ntp-not-client-request': {
    when: 'NTP mode 0, 1, 2, 4 or 5: reserved, symmetric active or passive, server, broadcast. tockd is a server to clients only.',
    sample: () => answer(ntpWith((b) => (b[0] = 0x24))),
  },
  'ntp-zero-transmit': {
    when: 'An NTP client request whose transmit timestamp is zero: there is nothing for the reply to echo, so the client could not match it.',
    sample: () => answer(ntpWith((b) => b.fill(0, 40, 48))),
  },
  'internal-error': {
    when: 'Building the reply failed, for instance because the clock returned a time no calendar can show. A bug or a broken clock, never the sender’s fault; the server keeps running.',
    sample: () => answer(bytesOf('Time request'), {}, () => 10n ** 30n),
  },
};

function ignoreReasonsPart(): string {
  const described = Object.keys(IGNORE_REASON_TEXT);
  const missing = IGNORE_REASONS.filter((r) => !described.includes(r));
  const extra = described.filter((r) => !(IGNORE_REASONS as readonly string[]).includes(r));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `IGNORE_REASONS has [${missing.join(', ')}] that apps/docs/scripts/protocol-parts.ts does not describe, and it describes [${extra.join(', ')}] that the code does not have`,
    );
  }
  return table(
    ['Reason', 'When'],
    IGNORE_REASONS.map((reason) => {
      const got = IGNORE_REASON_TEXT[reason]!.sample();
      if (got.action !== 'ignore' || got.reason !== reason) {
        throw new Error(
          `the example datagram for ${reason} got ${got.action === 'ignore' ? got.reason : 'a reply'}`,
        );
      }
      return [code(reason), cell(IGNORE_REASON_TEXT[reason]!.when)];
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Limits and amplification

function limitsPart(): string {
  return table(
    ['Constant', 'Value', 'What it limits'],
    [
      [
        code('MAX_DATAGRAM_BYTES'),
        String(MAX_DATAGRAM_BYTES),
        'The largest datagram read at all, any protocol (`oversized` above it).',
      ],
      [
        code('JSON_MAX_REQUEST_BYTES'),
        String(JSON_MAX_REQUEST_BYTES),
        'The largest JSON request answered (`REQUEST_TOO_LARGE` above it).',
      ],
      [code('JSON_MAX_ID_LENGTH'), String(JSON_MAX_ID_LENGTH), 'The longest JSON `id`, in characters.'],
      [
        code('NTP_PACKET_BYTES'),
        String(NTP_PACKET_BYTES),
        'The smallest NTP request answered, and the size of every NTP reply.',
      ],
    ],
  );
}

/** IPv4 (20) and UDP (8) headers: what a datagram costs on the wire besides its payload. */
const HEADERS = 28;

function amplificationPart(): string {
  const rows: string[][] = [];
  const add = (label: string, request: Uint8Array, options?: HandlerOptions): void => {
    const r = answer(request, options);
    if (r.action !== 'reply') throw new Error(`${label}: no reply`);
    const factor = (r.bytes.length + HEADERS) / (request.length + HEADERS);
    rows.push([cell(label), String(request.length), String(r.bytes.length), `${factor.toFixed(2)}×`]);
  };
  add('text: empty datagram → `ctime` line', new Uint8Array(0));
  add('text: `unix-ms` keyword → `unix-ms` line', bytesOf('unix-ms'));
  add('text: `iso` keyword → `iso` line with an offset', bytesOf('iso'), { timeZone: 'Asia/Kolkata' });
  add('JSON: `{` → `MALFORMED_JSON` error', bytesOf('{'));
  add('JSON: smallest request → response', bytesOf('{"v":1,"type":"time.request","id":"a"}'));
  add(
    'JSON: smallest request asking for `iso` → response',
    bytesOf('{"v":1,"type":"time.request","id":"a","format":"iso"}'),
  );
  add('NTP: client request → reply', NTP_REQUEST);
  add(
    'NTP: request with a 20-byte extension field → reply',
    ntpWith(() => undefined, NTP_PACKET_BYTES + 20),
  );
  return table(['Exchange', 'Request bytes', 'Reply bytes', 'Bytes on the wire, reply ÷ request'], rows);
}

/** Every generated part of the protocol page, by file name. */
export function protocolParts(): Record<string, string> {
  return {
    'protocol-classification': classificationPart(),
    'protocol-text-formats': textFormatsPart(),
    'protocol-text-example': textExamplePart(),
    'protocol-json-request-fields': fieldsPart('request', JsonTimeRequestSchema.shape as unknown as Shape),
    'protocol-json-response-fields': fieldsPart('response', JsonTimeResponseSchema.shape as unknown as Shape),
    'protocol-json-error-fields': fieldsPart('error', JsonErrorSchema.shape as unknown as Shape),
    'protocol-json-example': jsonExamplePart(),
    'protocol-json-error-codes': jsonErrorCodesPart(),
    'protocol-ntp-fields': ntpFieldsPart(),
    'protocol-ntp-values': ntpValuesPart(),
    'protocol-ntp-defaults': ntpDefaultsPart(),
    'protocol-ntp-example': ntpExamplePart(),
    'protocol-ntp-kiss-of-death': kissOfDeathPart(),
    'protocol-ignore-reasons': ignoreReasonsPart(),
    'protocol-limits': limitsPart(),
    'protocol-amplification': amplificationPart(),
  };
}
