import { z } from 'zod';
import { bestAntenna, MAX_ANTENNAS, rsigSchema } from './antennas';

/**
 * Semtech UDP packet-forwarder protocol, version 2 (Lora-net/packet_forwarder PROTOCOL.TXT).
 * Every datagram: [0] version 2, [1..2] random token, [3] type, then an 8-byte gateway EUI
 * (PUSH_DATA, PULL_DATA, TX_ACK) and/or a JSON object.
 */
export const GWMP_VERSION = 2;

export const GwmpType = {
  PUSH_DATA: 0x00,
  PUSH_ACK: 0x01,
  PULL_DATA: 0x02,
  PULL_RESP: 0x03,
  PULL_ACK: 0x04,
  TX_ACK: 0x05,
} as const;

const TYPE_NAMES = ['PUSH_DATA', 'PUSH_ACK', 'PULL_DATA', 'PULL_RESP', 'PULL_ACK', 'TX_ACK'] as const;
export type GwmpTypeName = (typeof TYPE_NAMES)[number];

/** Strict RFC 4648 base64, padding optional (the spec's own examples are unpadded). */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 or returns null: '-'/'_' (base64url) mixed in, bad length or bad padding are rejected. */
export function decodeStrictBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  if (text.length !== body.length && text.length % 4 !== 0) return null;
  return new Uint8Array(Buffer.from(body, 'base64'));
}

const u32 = z.number().int().min(0).max(0xffff_ffff);
const datr = z.union([z.string().regex(/^SF(5|6|7|8|9|10|11|12)BW(125|250|500)$/), z.number().int().positive()]);

/**
 * Forwarders write `null` for fields they have no value for (ChirpStack's UDP forwarder before v4.1.1: `"stat":null`,
 * and `"codr":null, "lsnr":null` on FSK; Kerlink: `"ackr":null`). A null means "absent": drop those keys before parsing,
 * so a null in a required field still fails with that field's name.
 */
export function withoutNulls(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}
const nullsAbsent = <T extends z.ZodType>(schema: T) => z.preprocess(withoutNulls, schema);

export const rxpkSchema = z
  .looseObject({
    /** Version of the rxpk format: absent (v1), 1 (sx1302_hal lora_pkt_fwd), 2 (Kerlink: signal data in `rsig`). */
    jver: z.number().int().nonnegative().optional(),
    time: z.string().max(64).optional(),
    tmms: z.number().int().nonnegative().optional(),
    tmst: u32,
    /** Fine timestamp, ns within the second of the PPS (sx1302_hal, GPS-synchronised gateways). */
    ftime: z.number().int().optional(),
    freq: z.number().positive().max(10_000),
    chan: z.number().int().nonnegative().optional(),
    rfch: z.number().int().nonnegative().optional(),
    /** Board (Kerlink), AES key index of the encrypted fine timestamps (Kerlink), modem id (sx1302_hal). */
    brd: z.number().int().nonnegative().optional(),
    aesk: z.number().int().nonnegative().optional(),
    mid: z.number().int().nonnegative().optional(),
    stat: z.union([z.literal(1), z.literal(0), z.literal(-1)]),
    modu: z.enum(['LORA', 'FSK']),
    datr,
    codr: z.string().max(8).optional(),
    /** Channel RSSI; absent on `jver: 2` forwarders, which report it per antenna in `rsig`. */
    rssi: z.number().min(-200).max(50).optional(),
    /** Signal RSSI (sx1302 forwarders); preferred over the channel RSSI when present. */
    rssis: z.number().min(-200).max(50).optional(),
    lsnr: z.number().min(-50).max(50).optional(),
    foff: z.number().optional(),
    rsig: z.array(nullsAbsent(rsigSchema)).max(MAX_ANTENNAS).optional(),
    size: z.number().int().nonnegative().max(255),
    data: z.string().max(400),
  })
  .refine((rxpk) => rxpk.rssi !== undefined || (rxpk.rsig ?? []).some((antenna) => antenna.rssic !== undefined), {
    message: 'no RSSI: neither rssi nor an rsig antenna with rssic',
    path: ['rssi'],
  });
export type RxpkJson = z.output<typeof rxpkSchema>;
/**
 * A decoded rxpk. `rssi` (and `rssis`/`lsnr` if known) are always filled: from the top-level fields when the forwarder
 * sends them, else from the best antenna of `rsig` (all antennas stay in `rsig`).
 */
export type Rxpk = RxpkJson & {
  rssi: number;
  /** The `ant` whose signal filled rssi/rssis/lsnr, when they came from `rsig`. */
  bestAntenna?: number;
  /** `data` decoded. */
  payload: Uint8Array;
};

export const statSchema = z.looseObject({
  time: z.string().max(64).optional(),
  lati: z.number().min(-90).max(90).optional(),
  long: z.number().min(-180).max(180).optional(),
  alti: z.number().optional(),
  rxnb: z.number().int().nonnegative().optional(),
  rxok: z.number().int().nonnegative().optional(),
  rxfw: z.number().int().nonnegative().optional(),
  ackr: z.number().min(0).max(100).optional(),
  dwnb: z.number().int().nonnegative().optional(),
  txnb: z.number().int().nonnegative().optional(),
  /** Concentrator temperature, °C (sx1302_hal). */
  temp: z.number().optional(),
});
export type Stat = z.output<typeof statSchema>;

export const txpkSchema = z.looseObject({
  imme: z.boolean().optional(),
  tmst: u32.optional(),
  tmms: z.number().int().nonnegative().optional(),
  freq: z.number().positive().max(10_000),
  rfch: z.number().int().nonnegative(),
  powe: z.number().int().min(-30).max(40).optional(),
  modu: z.enum(['LORA', 'FSK']),
  datr,
  codr: z.string().optional(),
  fdev: z.number().int().nonnegative().optional(),
  ipol: z.boolean().optional(),
  prea: z.number().int().nonnegative().optional(),
  size: z.number().int().nonnegative().max(255),
  data: z.string(),
  ncrc: z.boolean().optional(),
});
export type Txpk = z.output<typeof txpkSchema>;

export const TX_ACK_ERRORS = ['NONE', 'TOO_LATE', 'TOO_EARLY', 'COLLISION_PACKET', 'COLLISION_BEACON', 'TX_FREQ', 'TX_POWER', 'GPS_UNLOCKED'] as const;
export const txpkAckSchema = z.looseObject({
  error: z.string().max(64).optional(),
  /** sx1302_hal (PROTOCOL v1.5): accepted with a limitation, e.g. `"warn":"TX_POWER","value":20` = sent at 20 dBm. */
  warn: z.string().max(64).optional(),
  value: z.union([z.number(), z.string().max(64)]).optional(),
  powe: z.number().int().optional(),
  tmst: u32.optional(),
});
export type TxpkAck = z.output<typeof txpkAckSchema>;

/** One rxpk the codec could not accept, with why; the rest of the datagram is still used. */
export interface RejectedRxpk {
  index: number;
  reason: string;
}

export type GwmpPacket =
  | { type: 'PUSH_DATA'; token: number; gatewayEui: string; rxpk: Rxpk[]; stat?: Stat; rejected: RejectedRxpk[] }
  | { type: 'PUSH_ACK'; token: number }
  | { type: 'PULL_DATA'; token: number; gatewayEui: string }
  | { type: 'PULL_RESP'; token: number; txpk: Txpk }
  | { type: 'PULL_ACK'; token: number }
  | { type: 'TX_ACK'; token: number; gatewayEui: string; txpkAck?: TxpkAck };

export type GwmpDecodeResult = { ok: true; packet: GwmpPacket } | { ok: false; reason: string };

const EUI_BYTES = 8;
const HEADER_BYTES = 4;
const MAX_DATAGRAM_BYTES = 65_507;

function header(token: number, type: number): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf[0] = GWMP_VERSION;
  buf.writeUInt16BE(token & 0xffff, 1);
  buf[3] = type;
  return buf;
}

function euiBytes(eui: string): Buffer {
  if (!/^[0-9a-fA-F]{16}$/.test(eui)) throw new Error(`gateway EUI must be 16 hex digits, got "${eui}"`);
  return Buffer.from(eui, 'hex');
}

export function encodeGwmp(packet: GwmpPacket): Buffer {
  const head = header(packet.token, GwmpType[packet.type]);
  switch (packet.type) {
    case 'PUSH_ACK':
    case 'PULL_ACK':
      return head;
    case 'PULL_DATA':
      return Buffer.concat([head, euiBytes(packet.gatewayEui)]);
    case 'PULL_RESP':
      return Buffer.concat([head, Buffer.from(JSON.stringify({ txpk: packet.txpk }))]);
    case 'TX_ACK': {
      const parts = [head, euiBytes(packet.gatewayEui)];
      if (packet.txpkAck) parts.push(Buffer.from(JSON.stringify({ txpk_ack: packet.txpkAck })));
      return Buffer.concat(parts);
    }
    case 'PUSH_DATA': {
      const body: Record<string, unknown> = {};
      if (packet.rxpk.length > 0) body.rxpk = packet.rxpk.map(({ payload: _payload, bestAntenna: _best, ...json }) => json);
      if (packet.stat) body.stat = packet.stat;
      return Buffer.concat([head, euiBytes(packet.gatewayEui), Buffer.from(JSON.stringify(body))]);
    }
  }
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'missing JSON body' };
  try {
    // Some forwarders NUL-terminate the JSON.
    const text = bytes.toString('utf8').replace(/\0+$/, '');
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}` };
  }
}

const issue = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Validates one rxpk as a forwarder wrote it (any dialect) and fills rssi/rssis/lsnr and the payload. */
export function decodeRxpk(raw: unknown): { ok: true; rxpk: Rxpk } | { ok: false; reason: string } {
  const parsed = rxpkSchema.safeParse(withoutNulls(raw));
  if (!parsed.success) return { ok: false, reason: `invalid rxpk: ${issue(parsed.error)}` };
  const payload = decodeStrictBase64(parsed.data.data);
  if (!payload) return { ok: false, reason: 'invalid rxpk: data is not valid base64' };
  if (payload.length !== parsed.data.size) {
    return { ok: false, reason: `invalid rxpk: size ${parsed.data.size} but data decodes to ${payload.length} bytes` };
  }
  const { rssi, ...json } = parsed.data;
  if (rssi !== undefined) return { ok: true, rxpk: { ...json, rssi, payload } };
  // jver 2: no top-level signal; the schema guarantees an antenna with a channel RSSI.
  const best = bestAntenna(json.rsig ?? [])!;
  const { rssis: _rssis, lsnr: _lsnr, ...rest } = json;
  return {
    ok: true,
    rxpk: {
      ...rest,
      rssi: best.rssi,
      ...(best.rssis !== undefined ? { rssis: best.rssis } : {}),
      ...(best.lsnr !== undefined ? { lsnr: best.lsnr } : {}),
      bestAntenna: best.antenna,
      payload,
    },
  };
}

/** Decodes one datagram; never throws. A bad rxpk inside a PUSH_DATA is listed in `rejected`, not fatal. */
export function decodeGwmp(datagram: Uint8Array): GwmpDecodeResult {
  const buf = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (buf.length < HEADER_BYTES) return { ok: false, reason: `datagram too short (${buf.length} bytes)` };
  if (buf.length > MAX_DATAGRAM_BYTES) return { ok: false, reason: 'datagram too large' };
  if (buf[0] !== GWMP_VERSION) return { ok: false, reason: `unsupported protocol version ${buf[0]}` };
  const token = buf.readUInt16BE(1);
  const type = TYPE_NAMES[buf[3]!];
  if (!type) return { ok: false, reason: `unknown packet type 0x${buf[3]!.toString(16).padStart(2, '0')}` };
  const needsEui = type === 'PUSH_DATA' || type === 'PULL_DATA' || type === 'TX_ACK';
  if (needsEui && buf.length < HEADER_BYTES + EUI_BYTES) return { ok: false, reason: `${type} without an 8-byte gateway EUI` };
  const gatewayEui = needsEui ? buf.subarray(HEADER_BYTES, HEADER_BYTES + EUI_BYTES).toString('hex').toUpperCase() : '';
  const body = buf.subarray(HEADER_BYTES + (needsEui ? EUI_BYTES : 0));

  switch (type) {
    case 'PUSH_ACK':
    case 'PULL_ACK':
      return { ok: true, packet: { type, token } };
    case 'PULL_DATA':
      return { ok: true, packet: { type, token, gatewayEui } };
    case 'TX_ACK': {
      if (body.length === 0 || (body.length === 1 && body[0] === 0)) return { ok: true, packet: { type, token, gatewayEui } };
      const json = parseJson(body);
      if (!json.ok) return json;
      const ack = z.object({ txpk_ack: nullsAbsent(txpkAckSchema) }).safeParse(json.value);
      if (!ack.success) return { ok: false, reason: `invalid TX_ACK: ${issue(ack.error)}` };
      return { ok: true, packet: { type, token, gatewayEui, txpkAck: ack.data.txpk_ack } };
    }
    case 'PULL_RESP': {
      const json = parseJson(body);
      if (!json.ok) return json;
      const resp = z.object({ txpk: txpkSchema }).safeParse(json.value);
      if (!resp.success) return { ok: false, reason: `invalid PULL_RESP: ${issue(resp.error)}` };
      return { ok: true, packet: { type, token, txpk: resp.data.txpk } };
    }
    case 'PUSH_DATA': {
      const json = parseJson(body);
      if (!json.ok) return json;
      const shape = z
        .object({ rxpk: z.array(z.unknown()).max(255).optional(), stat: z.unknown().optional() })
        .loose()
        .safeParse(withoutNulls(json.value));
      if (!shape.success) return { ok: false, reason: `invalid PUSH_DATA: ${issue(shape.error)}` };
      const rxpk: Rxpk[] = [];
      const rejected: RejectedRxpk[] = [];
      (shape.data.rxpk ?? []).forEach((raw, index) => {
        const decoded = decodeRxpk(raw);
        if (decoded.ok) rxpk.push(decoded.rxpk);
        else rejected.push({ index, reason: decoded.reason });
      });
      let stat: Stat | undefined;
      if (shape.data.stat !== undefined && shape.data.stat !== null) {
        const parsedStat = statSchema.safeParse(withoutNulls(shape.data.stat));
        if (parsedStat.success) stat = parsedStat.data;
        else rejected.push({ index: -1, reason: `invalid stat: ${issue(parsedStat.error)}` });
      }
      return { ok: true, packet: { type, token, gatewayEui, rxpk, ...(stat ? { stat } : {}), rejected } };
    }
  }
}

/** "SF12BW125" → {sf: 12, bwKhz: 125}; null for FSK. */
export function parseDatr(value: string | number): { spreadingFactor: number; bandwidthKhz: number } | null {
  if (typeof value !== 'string') return null;
  const match = /^SF(\d+)BW(\d+)$/.exec(value);
  return match ? { spreadingFactor: Number(match[1]), bandwidthKhz: Number(match[2]) } : null;
}

/** MHz float as the forwarder writes it → integer Hz without float drift (867.9 → 867900000). */
export const mhzToHz = (mhz: number) => Math.round(mhz * 1e6);
export const hzToMhz = (hz: number) => Number((hz / 1e6).toFixed(6));
