import { REGION_PARAMS, REGIONS, MAPPER_COORDINATE_SCALE, MAPPER_HDOP_UNKNOWN, nextMapperCounter, parseMapperFrame, previousMapperCounter, verifyMapperFrameMic, type KeySealKeypair, type Region } from '@poc/protocol';
import { latLngToCell } from 'h3-js';
import type { Sql, TransactionSql } from 'postgres';
import { COVERAGE_RESOLUTION, recordCoverage } from '../coverage/coverage';
import type { Rejection } from '../ingest/decode';
import { recordRejections } from '../ingest/store';
import { loadMapperDevice } from './devices';
import { MAX_HDOP_DECI, MIN_SATELLITES, SILENT_HOTSPOT_RADIUS_M, distanceM, maxMapperRssiDbm, plausibleMove } from './radio-bounds';
import type { MapperRejection } from './reasons';

/** How long the receipts of one frame are collected before it is judged (other hotspots' receipts still in flight). */
export const DEFAULT_MAPPER_GROUP_WINDOW_MS = 10_000;
/** A receipt for a judged frame is `late_receipt` up to this long after the frame's first receipt, then `replayed_frame`. */
const LATE_RECEIPT_MS = 60_000;
const PROCESS_LOCK_ID = 7_150_213;
const DEFAULT_EIRP_DDBM = REGION_PARAMS.EU868.maxEirpDdbm;

interface ReceiptRow {
  hash: string;
  hotspot: string;
  topic: string;
  received_at: Date;
  frame: Buffer;
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

const maxEirpOf = (region: string | null) => ((REGIONS as readonly string[]).includes(region ?? '') ? REGION_PARAMS[region as Region].maxEirpDdbm : DEFAULT_EIRP_DDBM);

/**
 * Judges every frame whose first receipt arrived at least `groupWindowMs` ago, oldest first, one transaction per frame
 * (oracle/README.md §Mappers): device authenticity (MIC with the registered key) and counter freshness, the fix
 * quality, each receipt against the claimed position (free-space bound, copied radio metadata), the move since the
 * device's previous fix; a plausible frame becomes a 'mapper' coverage measurement at its res-9 cell for every hotspot
 * whose receipt passed. Refusals go on the frame, its receipts and rejected_messages. One processor runs at a time.
 */
export async function processMapperFrames(sql: Sql, o: { keySeal: KeySealKeypair; now?: Date; groupWindowMs?: number; maxFrames?: number }): Promise<MapperFrameVerdict[]> {
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - (o.groupWindowMs ?? DEFAULT_MAPPER_GROUP_WINDOW_MS));
  const due = await sql<{ frame: Buffer }[]>`
    SELECT frame FROM mapper_receipts WHERE status = 'pending'
    GROUP BY frame HAVING min(received_at) <= ${cutoff}
    ORDER BY min(received_at), frame LIMIT ${o.maxFrames ?? 500}`;
  const verdicts: MapperFrameVerdict[] = [];
  for (const { frame } of due) {
    const verdict = await sql.begin(async (tx) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PROCESS_LOCK_ID}, hashtext(encode(${frame}::bytea, 'hex'))) AS ok`;
      if (!lock?.ok) return null;
      return judgeFrame(tx, frame, o.keySeal);
    });
    if (verdict) verdicts.push(verdict);
  }
  return verdicts;
}

async function judgeFrame(tx: TransactionSql, frame: Buffer, keySeal: KeySealKeypair): Promise<MapperFrameVerdict | null> {
  const receipts = await tx<ReceiptRow[]>`
    SELECT hash, hotspot, topic, received_at, frame, tmst::text, signal, snr, frequency::text, payload
    FROM mapper_receipts WHERE frame = ${frame} AND status = 'pending' ORDER BY received_at, hash FOR UPDATE SKIP LOCKED`;
  if (receipts.length === 0) return null;
  const fields = parseMapperFrame(frame)!;
  const [judged] = await tx<{ id: string; first_received_at: Date }[]>`SELECT id::text, first_received_at FROM mapper_frames WHERE frame = ${frame}`;
  const rejections: Rejection[] = [];
  const refuse = async (r: ReceiptRow, reason: MapperRejection, detail: string, frameId: string | null) => {
    await tx`UPDATE mapper_receipts SET status = 'invalid', reason = ${reason}, frame_id = ${frameId}, processed_at = now() WHERE hash = ${r.hash}`;
    rejections.push({ topic: r.topic, reason, detail, payload: r.payload, receivedAt: r.received_at });
  };

  if (judged) {
    // The frame was judged before: a straggler, or the same bytes sent again later.
    const refusedReceipts: MapperFrameVerdict['refusedReceipts'] = [];
    for (const r of receipts) {
      const late = r.received_at.getTime() - judged.first_received_at.getTime() <= LATE_RECEIPT_MS;
      const why = late
        ? { reason: 'late_receipt' as const, detail: 'arrived after its frame was judged' }
        : { reason: 'replayed_frame' as const, detail: `frame ${judged.id} was judged at ${judged.first_received_at.toISOString()}` };
      await refuse(r, why.reason, why.detail, judged.id);
      refusedReceipts.push({ hotspot: r.hotspot, ...why });
    }
    await recordRejections(tx, rejections);
    return { frameId: Number(judged.id), status: 'rejected', reason: null, measuredBy: [], refusedReceipts };
  }

  const lat = fields.latE7 / MAPPER_COORDINATE_SCALE;
  const lng = fields.lngE7 / MAPPER_COORDINATE_SCALE;
  const firstReceivedAt = receipts[0]!.received_at;
  let status: MapperFrameVerdict['status'] = 'plausible';
  let reason: MapperRejection | null = null;
  let detail: string | null = null;
  let counter: number | null = null;

  const device = await loadMapperDevice(tx, fields.deviceId, keySeal);
  if (!device) [status, reason, detail] = ['rejected', 'unknown_device', `device ${fields.deviceId} is not registered`];
  else {
    const next = nextMapperCounter(device.lastCounter, fields.counterLow16);
    const previous = device.lastCounter === null ? null : previousMapperCounter(device.lastCounter, fields.counterLow16);
    if (verifyMapperFrameMic(frame, device.key, next)) counter = next;
    else if (previous !== null && verifyMapperFrameMic(frame, device.key, previous)) {
      status = 'rejected';
      [reason, detail] = previous === device.lastCounter ? ['counter_replayed', `counter ${previous} already accepted`] : ['counter_reordered', `counter ${previous} < last accepted ${device.lastCounter}`];
    } else [status, reason, detail] = ['rejected', 'bad_mic', 'the MIC does not verify with the registered device key'];
  }

  // Receipt by receipt, against the claimed position.
  const refused = new Map<string, { reason: MapperRejection; detail: string }>();
  const hotspots = new Map(
    (await tx<HotspotRow[]>`SELECT address, lat, lng, gain_ddbi, region FROM hotspots WHERE address = ANY(${receipts.map((r) => r.hotspot)}::text[])`).map((h) => [h.address, h]),
  );
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

  const h3 = latLngToCell(lat, lng, COVERAGE_RESOLUTION);
  const evidence = status === 'plausible' ? await silentHotspots(tx, { lat, lng }, new Set(receipts.map((r) => r.hotspot)), firstReceivedAt) : [];
  const [row] = await tx<{ id: string }[]>`
    INSERT INTO mapper_frames (frame, device_id, counter, lat, lng, h3, hdop_deci, satellites, first_received_at, status, reason, detail,
                               receipt_count, hotspot_count, evidence)
    VALUES (${frame}, ${fields.deviceId}, ${counter}, ${lat}, ${lng}, ${h3}, ${fields.hdopDeci}, ${fields.satellites}, ${firstReceivedAt},
            ${status}, ${reason}, ${detail}, ${receipts.length}, ${measured.length},
            ${evidence.length > 0 ? tx.json({ silent_hotspots: evidence }) : null})
    RETURNING id::text`;
  const frameId = row!.id;

  if (counter !== null && device) {
    // An authentic frame moves the counter on even when implausible: the same bytes can never count later.
    await tx`UPDATE mapper_devices SET last_counter = ${counter} WHERE device_id = ${device.deviceId}`;
    if (status === 'plausible') await tx`UPDATE mapper_devices SET last_lat = ${lat}, last_lng = ${lng}, last_fix_at = ${firstReceivedAt} WHERE device_id = ${device.deviceId}`;
  }
  const refusedReceipts: MapperFrameVerdict['refusedReceipts'] = [];
  for (const r of receipts) {
    const own = refused.get(r.hash);
    if (status === 'plausible' && !own) {
      await tx`UPDATE mapper_receipts SET status = 'valid', frame_id = ${frameId}, processed_at = now() WHERE hash = ${r.hash}`;
      continue;
    }
    const why = status === 'plausible' ? own! : own && status === 'implausible' && reason === 'position_implausible' ? own : { reason: reason!, detail: detail ?? '' };
    await refuse(r, why.reason, why.detail, frameId);
    refusedReceipts.push({ hotspot: r.hotspot, ...why });
  }
  await recordRejections(tx, rejections);
  if (measured.length > 0) {
    await recordCoverage(tx, measured.map((r) => ({ h3Res9: h3, witness: r.hotspot, signal: r.signal, snr: r.snr, at: firstReceivedAt, source: 'mapper' as const })));
  }
  return { frameId: Number(frameId), status, reason, measuredBy: measured.map((r) => r.hotspot), refusedReceipts };
}

/** Hotspots near the fix, active in the last hour, that sent no receipt: evidence only (a hotspot may be busy or shadowed). */
async function silentHotspots(tx: TransactionSql, at: { lat: number; lng: number }, heard: Set<string>, when: Date): Promise<{ hotspot: string; distance_m: number }[]> {
  const dLat = SILENT_HOTSPOT_RADIUS_M / 111_000;
  const dLng = dLat / Math.max(0.05, Math.cos((at.lat * Math.PI) / 180));
  const since = new Date(when.getTime() - 3_600_000);
  const near = await tx<{ address: string; lat: number; lng: number }[]>`
    SELECT address, lat, lng FROM hotspots
    WHERE lat BETWEEN ${at.lat - dLat} AND ${at.lat + dLat} AND lng BETWEEN ${at.lng - dLng} AND ${at.lng + dLng}
      AND greatest(last_witness_at, last_beacon_at) >= ${since}
    LIMIT 200`;
  return near
    .filter((h) => !heard.has(h.address))
    .map((h) => ({ hotspot: h.address, distance_m: Math.round(distanceM(at, h)) }))
    .filter((h) => h.distance_m <= SILENT_HOTSPOT_RADIUS_M)
    .sort((a, b) => a.distance_m - b.distance_m);
}
