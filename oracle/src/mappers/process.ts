import { REGION_PARAMS, REGIONS, MAPPER_COORDINATE_SCALE, MAPPER_HDOP_UNKNOWN, nextMapperCounter, parseMapperFrame, previousMapperCounter, verifyMapperFrameMic, type KeySealKeypair, type Region } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import type { Sql, TransactionSql } from 'postgres';
import { COVERAGE_RESOLUTION, recordCoverage, type CoverageMeasurement } from '../coverage/coverage';
import type { Rejection } from '../ingest/decode';
import { recordRejections } from '../ingest/store';
import { loadMapperDevices, type MapperDevice } from './devices';
import { MAX_HDOP_DECI, MIN_SATELLITES, SILENT_HOTSPOT_RADIUS_M, distanceM, maxMapperRssiDbm, plausibleMove } from './radio-bounds';
import type { MapperRejection } from './reasons';

/** How long the receipts of one frame are collected before it is judged (other hotspots' receipts still in flight). */
export const DEFAULT_MAPPER_GROUP_WINDOW_MS = 10_000;
/** Frames one call judges at most (the oldest due first). */
const DEFAULT_MAX_FRAMES = 500;
/**
 * Receipts one transaction holds at most: frames are judged in transactions of whole frames up to this many receipts
 * (a single frame with more still goes alone), so a flood of receipts for few frames bounds memory per transaction.
 */
export const MAX_RECEIPTS_PER_TRANSACTION = 5_000;
/** A receipt for a judged frame is `late_receipt` up to this long after the frame's first receipt, then `replayed_frame`. */
const LATE_RECEIPT_MS = 60_000;
const PROCESS_LOCK_ID = 7_150_213;
const DEFAULT_EIRP_DDBM = REGION_PARAMS.EU868.maxEirpDdbm;

interface ReceiptRow {
  hash: string;
  hotspot: string;
  topic: string;
  received_at: Date;
  frame_hex: string;
  tmst: string;
  signal: number;
  snr: number;
  frequency: string;
  payload: Buffer;
}

interface HotspotRow {
  address: string;
  lat: number | null;
  lng: number | null;
  gain_ddbi: number;
  region: string | null;
}

export interface MapperFrameVerdict {
  frameId: number;
  status: 'plausible' | 'implausible' | 'rejected';
  reason: MapperRejection | null;
  /** Hotspots whose receipts became measurements. */
  measuredBy: string[];
  /** Receipts refused on their own, with their reason. */
  refusedReceipts: { hotspot: string; reason: MapperRejection; detail: string }[];
}

/** A frame judged in memory, written with the rest of its transaction's frames. */
interface NewFrame {
  hex: string;
  deviceId: number;
  counter: number | null;
  lat: number;
  lng: number;
  h3: string;
  hdopDeci: number;
  satellites: number;
  firstReceivedAt: Date;
  status: MapperFrameVerdict['status'];
  reason: MapperRejection | null;
  detail: string | null;
  receipts: ReceiptRow[];
  measured: ReceiptRow[];
  /** Per receipt hash: its outcome when not measured. */
  refusals: Map<string, { reason: MapperRejection; detail: string }>;
  refusedReceipts: MapperFrameVerdict['refusedReceipts'];
}

/** Frame verdicts in judging order: a new frame (id after insert) or receipts of a frame judged before. */
type Judged = { kind: 'new'; frame: NewFrame } | { kind: 'judged-before'; verdict: MapperFrameVerdict; receipts: readonly ReceiptRow[] };

const maxEirpOf = (region: string | null) => ((REGIONS as readonly string[]).includes(region ?? '') ? REGION_PARAMS[region as Region].maxEirpDdbm : DEFAULT_EIRP_DDBM);

/**
 * Judges every frame whose first receipt arrived at least `groupWindowMs` ago, oldest first (oracle/README.md
 * §Mappers): device authenticity (MIC with the registered key) and counter freshness, the fix quality, each receipt
 * against the claimed position (free-space bound, copied radio metadata), the move since the device's previous fix; a
 * plausible frame becomes a 'mapper' coverage measurement at its res-9 cell for every hotspot whose receipt passed.
 * Refusals go on the frame, its receipts and rejected_messages. Many frames share one transaction and each step is one
 * query for all of them; the verdicts are those of judging the frames one by one in this order (a device's counter
 * and last fix carry from one of its frames to the next). A frame another judge holds is left to it.
 */
export async function processMapperFrames(
  sql: Sql,
  o: { keySeal: KeySealKeypair; now?: Date; groupWindowMs?: number; maxFrames?: number; maxReceiptsPerTransaction?: number },
): Promise<MapperFrameVerdict[]> {
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - (o.groupWindowMs ?? DEFAULT_MAPPER_GROUP_WINDOW_MS));
  const due = await sql<{ frame: string; receipts: number }[]>`
    SELECT encode(frame, 'hex') AS frame, count(*)::int AS receipts FROM mapper_receipts WHERE status = 'pending'
    GROUP BY frame HAVING min(received_at) <= ${cutoff}
    ORDER BY min(received_at), frame LIMIT ${o.maxFrames ?? DEFAULT_MAX_FRAMES}`;
  const verdicts: MapperFrameVerdict[] = [];
  for (const chunk of chunksByReceipts(due, o.maxReceiptsPerTransaction ?? MAX_RECEIPTS_PER_TRANSACTION)) verdicts.push(...(await sql.begin((tx) => judgeFrames(tx, chunk, o.keySeal))));
  return verdicts;
}

function chunksByReceipts(due: readonly { frame: string; receipts: number }[], maxReceipts: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let receipts = 0;
  for (const d of due) {
    if (current.length > 0 && receipts + d.receipts > maxReceipts) {
      chunks.push(current);
      [current, receipts] = [[], 0];
    }
    current.push(d.frame);
    receipts += d.receipts;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function judgeFrames(tx: TransactionSql, frameHexes: readonly string[], keySeal: KeySealKeypair): Promise<MapperFrameVerdict[]> {
  // Frames another judge holds are skipped, as are receipts it holds (it commits them).
  const locked = (
    await tx<{ frame: string }[]>`
      SELECT f.frame FROM unnest(${frameHexes}::text[]) WITH ORDINALITY AS f(frame, ord)
      WHERE pg_try_advisory_xact_lock(${PROCESS_LOCK_ID}, hashtext(f.frame)) ORDER BY f.ord`
  ).map((r) => r.frame);
  if (locked.length === 0) return [];
  const receiptRows = await tx<ReceiptRow[]>`
    SELECT hash, hotspot, topic, received_at, encode(frame, 'hex') AS frame_hex, tmst::text, signal, snr, frequency::text, payload
    FROM mapper_receipts WHERE frame IN (SELECT decode(x, 'hex') FROM unnest(${locked}::text[]) AS x) AND status = 'pending'
    ORDER BY received_at, hash FOR UPDATE SKIP LOCKED`;
  const receiptsOf = new Map<string, ReceiptRow[]>();
  for (const r of receiptRows) {
    const list = receiptsOf.get(r.frame_hex);
    if (list) list.push(r);
    else receiptsOf.set(r.frame_hex, [r]);
  }
  const frames = locked.filter((hex) => receiptsOf.has(hex));
  if (frames.length === 0) return [];

  const judgedBefore = new Map(
    (
      await tx<{ frame: string; id: string; first_received_at: Date }[]>`
        SELECT encode(frame, 'hex') AS frame, id::text, first_received_at FROM mapper_frames
        WHERE frame IN (SELECT decode(x, 'hex') FROM unnest(${frames}::text[]) AS x)`
    ).map((j) => [j.frame, j]),
  );
  const fresh = frames.filter((hex) => !judgedBefore.has(hex));
  const fields = new Map(fresh.map((hex) => [hex, parseMapperFrame(Buffer.from(hex, 'hex'))!])); // receipts store only mapper frames
  const devices = await loadMapperDevices(tx, [...fields.values()].map((f) => f.deviceId), keySeal);
  const hotspotAddresses = [...new Set(fresh.flatMap((hex) => receiptsOf.get(hex)!.map((r) => r.hotspot)))];
  const hotspots = new Map(
    hotspotAddresses.length === 0
      ? []
      : (await tx<HotspotRow[]>`SELECT address, lat, lng, gain_ddbi, region FROM hotspots WHERE address = ANY(${hotspotAddresses}::text[])`).map((h) => [h.address, h]),
  );

  const judged: Judged[] = [];
  const changedDevices = new Map<number, { counter: number; fixChanged: boolean }>();
  for (const hex of frames) {
    const receipts = receiptsOf.get(hex)!;
    const before = judgedBefore.get(hex);
    if (before) {
      judged.push({ kind: 'judged-before', verdict: judgeStragglers(before, receipts), receipts });
      continue;
    }
    const f = fields.get(hex)!;
    const device = devices.get(f.deviceId) ?? null;
    const frame = judgeFrame(hex, receipts, device, hotspots);
    if (frame.counter !== null && device) {
      // An authentic frame moves the counter on even when implausible: the same bytes can never count later.
      device.lastCounter = frame.counter;
      const change = { counter: frame.counter, fixChanged: changedDevices.get(device.deviceId)?.fixChanged ?? false };
      if (frame.status === 'plausible') [device.lastFix, change.fixChanged] = [{ lat: frame.lat, lng: frame.lng, at: frame.firstReceivedAt }, true];
      changedDevices.set(device.deviceId, change);
    }
    judged.push({ kind: 'new', frame });
  }
  return writeVerdicts(tx, judged, devices, changedDevices);
}

/** Receipts of a frame judged before: a straggler, or the same bytes sent again later. */
function judgeStragglers(before: { id: string; first_received_at: Date }, receipts: readonly ReceiptRow[]): MapperFrameVerdict {
  const refusedReceipts = receipts.map((r) => {
    const late = r.received_at.getTime() - before.first_received_at.getTime() <= LATE_RECEIPT_MS;
    return late
      ? { hotspot: r.hotspot, reason: 'late_receipt' as const, detail: 'arrived after its frame was judged' }
      : { hotspot: r.hotspot, reason: 'replayed_frame' as const, detail: `frame ${before.id} was judged at ${before.first_received_at.toISOString()}` };
  });
  return { frameId: Number(before.id), status: 'rejected', reason: null, measuredBy: [], refusedReceipts };
}

/** One new frame against its device's state so far (this transaction's earlier frames included). Pure. */
function judgeFrame(hex: string, receipts: ReceiptRow[], device: MapperDevice | null, hotspots: ReadonlyMap<string, HotspotRow>): NewFrame {
  const frameBytes = Buffer.from(hex, 'hex');
  const fields = parseMapperFrame(frameBytes)!;
  const lat = fields.latE7 / MAPPER_COORDINATE_SCALE;
  const lng = fields.lngE7 / MAPPER_COORDINATE_SCALE;
  const firstReceivedAt = receipts[0]!.received_at;
  let status: MapperFrameVerdict['status'] = 'plausible';
  let reason: MapperRejection | null = null;
  let detail: string | null = null;
  let counter: number | null = null;

  if (!device) [status, reason, detail] = ['rejected', 'unknown_device', `device ${fields.deviceId} is not registered`];
  else {
    const next = nextMapperCounter(device.lastCounter, fields.counterLow16);
    const previous = device.lastCounter === null ? null : previousMapperCounter(device.lastCounter, fields.counterLow16);
    if (verifyMapperFrameMic(frameBytes, device.key, next)) counter = next;
    else if (previous !== null && verifyMapperFrameMic(frameBytes, device.key, previous)) {
      status = 'rejected';
      [reason, detail] = previous === device.lastCounter ? ['counter_replayed', `counter ${previous} already accepted`] : ['counter_reordered', `counter ${previous} < last accepted ${device.lastCounter}`];
    } else [status, reason, detail] = ['rejected', 'bad_mic', 'the MIC does not verify with the registered device key'];
  }

  // Receipt by receipt, against the claimed position.
  const refused = new Map<string, { reason: MapperRejection; detail: string }>();
  const fingerprints = new Map<string, string>();
  for (const r of receipts) {
    const h = hotspots.get(r.hotspot);
    if (!h || h.lat === null || h.lng === null) {
      refused.set(r.hash, { reason: 'hotspot_unknown', detail: 'not registered with an asserted location' });
      continue;
    }
    // Concentrator counters run free per gateway: two hotspots never read the same tmst, RSSI and SNR for one frame.
    const fingerprint = `${r.tmst}|${r.signal}|${r.snr}`;
    const original = fingerprints.get(fingerprint);
    if (original) {
      refused.set(r.hash, { reason: 'copied_radio_metadata', detail: `same tmst, RSSI and SNR as ${original}'s receipt` });
      continue;
    }
    fingerprints.set(fingerprint, r.hotspot);
    const distance = distanceM({ lat, lng }, { lat: h.lat, lng: h.lng });
    const bound = maxMapperRssiDbm({ distanceM: distance, frequencyHz: Number(r.frequency), maxEirpDdbm: maxEirpOf(h.region), hotspotGainDdbi: h.gain_ddbi });
    if (r.signal / 10 > bound) {
      refused.set(r.hash, { reason: 'signal_too_strong_for_distance', detail: `${r.signal / 10} dBm at ${Math.round(distance)} m; free space allows at most ${bound.toFixed(1)} dBm` });
    }
  }
  const located = receipts.filter((r) => refused.get(r.hash)?.reason !== 'hotspot_unknown' && refused.get(r.hash)?.reason !== 'copied_radio_metadata');
  const tooStrong = located.filter((r) => refused.get(r.hash)?.reason === 'signal_too_strong_for_distance');

  if (status === 'plausible') {
    if (fields.satellites < MIN_SATELLITES || fields.hdopDeci === MAPPER_HDOP_UNKNOWN || fields.hdopDeci > MAX_HDOP_DECI) {
      [status, reason, detail] = ['implausible', 'poor_gps_fix', `${fields.satellites} satellites, HDOP ${fields.hdopDeci === MAPPER_HDOP_UNKNOWN ? 'unknown' : fields.hdopDeci / 10}`];
    } else if (located.length > 0 && tooStrong.length * 2 >= located.length) {
      // Most hotspots that heard it say it was nearer to them than claimed: the position is what is wrong.
      [status, reason, detail] = ['implausible', 'position_implausible', `${tooStrong.length} of ${located.length} receipts are stronger than free space allows from the claimed position`];
    } else if (device?.lastFix) {
      const moved = distanceM(device.lastFix, { lat, lng });
      const seconds = (firstReceivedAt.getTime() - device.lastFix.at.getTime()) / 1000;
      if (!plausibleMove(moved, seconds)) [status, reason, detail] = ['implausible', 'implausible_speed', `${Math.round(moved)} m in ${seconds.toFixed(0)} s since the previous fix`];
    }
  }

  const measured = status === 'plausible' ? receipts.filter((r) => !refused.has(r.hash)) : [];
  if (status === 'plausible' && measured.length === 0) [status, reason, detail] = ['implausible', 'position_implausible', 'no receipt of this frame passed'];

  const refusals = new Map<string, { reason: MapperRejection; detail: string }>();
  const refusedReceipts: MapperFrameVerdict['refusedReceipts'] = [];
  for (const r of receipts) {
    const own = refused.get(r.hash);
    if (status === 'plausible' && !own) continue;
    const why = status === 'plausible' ? own! : own && status === 'implausible' && reason === 'position_implausible' ? own : { reason: reason!, detail: detail ?? '' };
    refusals.set(r.hash, why);
    refusedReceipts.push({ hotspot: r.hotspot, ...why });
  }
  return {
    hex, deviceId: fields.deviceId, counter, lat, lng, h3: latLngToCell(lat, lng, COVERAGE_RESOLUTION), hdopDeci: fields.hdopDeci, satellites: fields.satellites,
    firstReceivedAt, status, reason, detail, receipts, measured, refusals, refusedReceipts,
  };
}

/** Writes a transaction's verdicts: one statement each for frames, devices, receipts, rejections and coverage. */
async function writeVerdicts(
  tx: TransactionSql,
  judged: readonly Judged[],
  devices: ReadonlyMap<number, MapperDevice>,
  changedDevices: ReadonlyMap<number, { counter: number; fixChanged: boolean }>,
): Promise<MapperFrameVerdict[]> {
  const fresh = judged.flatMap((j) => (j.kind === 'new' ? [j.frame] : []));
  const evidence = await silentHotspots(tx, fresh.filter((f) => f.status === 'plausible'));
  const frameIds = new Map<string, string>();
  if (fresh.length > 0) {
    const rows = fresh.map((f) => ({
      frame: f.hex, device_id: f.deviceId, counter: f.counter, lat: f.lat, lng: f.lng, h3: f.h3, hdop_deci: f.hdopDeci, satellites: f.satellites,
      first_received_at: f.firstReceivedAt.toISOString(), status: f.status, reason: f.reason, detail: f.detail, receipt_count: f.receipts.length,
      hotspot_count: f.measured.length, ...(evidence.has(f.hex) ? { evidence: { silent_hotspots: evidence.get(f.hex) } } : {}), // absent: NULL
    }));
    // Ids follow the judging order (WITH ORDINALITY), as when frames were inserted one by one.
    const inserted = await tx<{ id: string; frame: string }[]>`
      INSERT INTO mapper_frames (frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, reason, detail,
                                 receipt_count, hotspot_count, evidence)
      SELECT decode(x.frame, 'hex'), x.device_id, x.counter, x.lat, x.lng, x.h3, x.hdop_deci, x.satellites, x.first_received_at, x.status, x.reason,
             x.detail, x.receipt_count, x.hotspot_count, x.evidence
      FROM jsonb_array_elements(${tx.json(rows as never)}) WITH ORDINALITY AS e(row, ord)
      CROSS JOIN LATERAL jsonb_to_record(e.row) AS x(frame text, device_id bigint, counter bigint, lat double precision, lng double precision, h3 text,
        hdop_deci integer, satellites integer, first_received_at timestamptz, status text, reason text, detail text, receipt_count integer,
        hotspot_count integer, evidence jsonb)
      ORDER BY e.ord
      RETURNING id::text, encode(frame, 'hex') AS frame`;
    for (const r of inserted) frameIds.set(r.frame, r.id);
  }

  if (changedDevices.size > 0) {
    const rows = [...changedDevices].map(([deviceId, c]) => {
      const fix = devices.get(deviceId)!.lastFix;
      return { device_id: deviceId, last_counter: c.counter, fix_changed: c.fixChanged, lat: fix?.lat ?? null, lng: fix?.lng ?? null, at: fix?.at.toISOString() ?? null };
    });
    await tx`
      UPDATE mapper_devices d SET last_counter = u.last_counter,
        last_lat = CASE WHEN u.fix_changed THEN u.lat ELSE d.last_lat END,
        last_lng = CASE WHEN u.fix_changed THEN u.lng ELSE d.last_lng END,
        last_fix_at = CASE WHEN u.fix_changed THEN u.at ELSE d.last_fix_at END
      FROM jsonb_to_recordset(${tx.json(rows as never)}) AS u(device_id bigint, last_counter bigint, fix_changed boolean, lat double precision,
        lng double precision, at timestamptz)
      WHERE d.device_id = u.device_id`;
  }

  const receiptUpdates: { hash: string; status: 'valid' | 'invalid'; reason: MapperRejection | null; frame_id: string }[] = [];
  const rejections: Rejection[] = [];
  const measurements: CoverageMeasurement[] = [];
  const verdicts: MapperFrameVerdict[] = [];
  for (const j of judged) {
    if (j.kind === 'judged-before') {
      const verdict = j.verdict;
      j.receipts.forEach((r, i) => {
        const why = verdict.refusedReceipts[i]!;
        receiptUpdates.push({ hash: r.hash, status: 'invalid', reason: why.reason, frame_id: String(verdict.frameId) });
        rejections.push({ topic: r.topic, reason: why.reason, detail: why.detail, payload: r.payload, receivedAt: r.received_at });
      });
      verdicts.push(verdict);
      continue;
    }
    const f = j.frame;
    const frameId = frameIds.get(f.hex)!;
    for (const r of f.receipts) {
      const why = f.refusals.get(r.hash);
      receiptUpdates.push({ hash: r.hash, status: why ? 'invalid' : 'valid', reason: why?.reason ?? null, frame_id: frameId });
      if (why) rejections.push({ topic: r.topic, reason: why.reason, detail: why.detail, payload: r.payload, receivedAt: r.received_at });
    }
    for (const r of f.measured) measurements.push({ h3Res9: f.h3, witness: r.hotspot, signal: r.signal, snr: r.snr, at: f.firstReceivedAt, source: 'mapper' });
    verdicts.push({ frameId: Number(frameId), status: f.status, reason: f.reason, measuredBy: f.measured.map((r) => r.hotspot), refusedReceipts: f.refusedReceipts });
  }
  await tx`
    UPDATE mapper_receipts m SET status = u.status, reason = u.reason, frame_id = u.frame_id, processed_at = now()
    FROM jsonb_to_recordset(${tx.json(receiptUpdates as never)}) AS u(hash text, status text, reason text, frame_id bigint)
    WHERE m.hash = u.hash`;
  await recordRejections(tx, rejections);
  await recordCoverage(tx, measurements);
  return verdicts;
}

/**
 * Per plausible frame, hotspots near the fix, active in the last hour, that sent no receipt: evidence only (a hotspot
 * may be busy or shadowed). One query for all frames, at most 200 candidates each.
 */
async function silentHotspots(tx: TransactionSql, frames: readonly NewFrame[]): Promise<Map<string, { hotspot: string; distance_m: number }[]>> {
  const evidence = new Map<string, { hotspot: string; distance_m: number }[]>();
  if (frames.length === 0) return evidence;
  const boxes = frames.map((f, i) => {
    const dLat = SILENT_HOTSPOT_RADIUS_M / 111_000;
    const dLng = dLat / Math.max(0.05, Math.cos((f.lat * Math.PI) / 180));
    return { i, lat_min: f.lat - dLat, lat_max: f.lat + dLat, lng_min: f.lng - dLng, lng_max: f.lng + dLng, since: new Date(f.firstReceivedAt.getTime() - 3_600_000).toISOString() };
  });
  const near = await tx<{ i: number; address: string; lat: number; lng: number }[]>`
    SELECT b.i, h.address, h.lat, h.lng
    FROM jsonb_to_recordset(${tx.json(boxes as never)}) AS b(i integer, lat_min double precision, lat_max double precision, lng_min double precision,
      lng_max double precision, since timestamptz)
    CROSS JOIN LATERAL (
      SELECT address, lat, lng FROM hotspots
      WHERE lat BETWEEN b.lat_min AND b.lat_max AND lng BETWEEN b.lng_min AND b.lng_max AND greatest(last_witness_at, last_beacon_at) >= b.since
      LIMIT 200) h`;
  const nearOf = new Map<number, { address: string; lat: number; lng: number }[]>();
  for (const n of near) {
    const list = nearOf.get(n.i);
    if (list) list.push(n);
    else nearOf.set(n.i, [n]);
  }
  frames.forEach((f, i) => {
    const heard = new Set(f.receipts.map((r) => r.hotspot));
    const silent = (nearOf.get(i) ?? [])
      .filter((h) => !heard.has(h.address))
      .map((h) => ({ hotspot: h.address, distance_m: Math.round(distanceM(f, h)) }))
      .filter((h) => h.distance_m <= SILENT_HOTSPOT_RADIUS_M)
      .sort((a, b) => a.distance_m - b.distance_m);
    if (silent.length > 0) evidence.set(f.hex, silent);
  });
  return evidence;
}
