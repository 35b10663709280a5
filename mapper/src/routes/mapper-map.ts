import type { FastifyInstance } from 'fastify';
import { cellToParent, getResolution } from 'h3-js';
import type { Sql } from 'postgres';
import { z } from 'zod';
import { MAX_RESOLUTION, MIN_RESOLUTION } from '../h3-ranges';
import { bboxOf, cellOf } from './map-api';

/** Measured mapper rows read per bbox (res-9 cells before rolling up). */
const MAX_CELLS = 20_000;
/** Frames and no-signal entries listed on a hex page. */
const MAX_LISTED = 50;

const MapperHexesQuery = z.object({ bbox: z.string(), res: z.coerce.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION) });

const rollUp = (h3: string, res: number) => (getResolution(h3) > res ? cellToParent(h3, res) : h3);

/**
 * The map's view of what mapper devices measured (mapper/README.md §Mapper logs): cells a heard mapper frame covers
 * (drawn outlined over the coverage colour) and cells of measured no-signal — unheard logged frames in a cell that
 * has no covered measurement at that resolution (covered wins) — and a hex page's list of mapper measurements.
 */
export async function mapperMapRoutes(app: FastifyInstance, ctx: { sql: Sql }) {
  app.get('/mapper-hexes', { schema: { tags: ['map'], summary: 'Cells measured by mapper devices in a bbox: heard (by a mapper) and measured no-signal', querystring: MapperHexesQuery } }, async (req) => {
    const q = MapperHexesQuery.parse(req.query);
    const b = bboxOf(q.bbox);
    const [heard, unheard] = await Promise.all([
      ctx.sql<{ h3: string; n: number }[]>`
        SELECT h3, count(*)::int AS n FROM mapper_frames
        WHERE status = 'plausible' AND lat BETWEEN ${b.south} AND ${b.north} AND lng BETWEEN ${b.west} AND ${b.east}
        GROUP BY h3 LIMIT ${MAX_CELLS}`,
      ctx.sql<{ h3: string; n: number; last_at: Date }[]>`
        SELECT h3, count(*)::int AS n, max(sent_at) AS last_at FROM mapper_log_entries
        WHERE status = 'no_signal' AND lat BETWEEN ${b.south} AND ${b.north} AND lng BETWEEN ${b.west} AND ${b.east}
        GROUP BY h3 LIMIT ${MAX_CELLS}`,
    ]);
    const mapper = new Map<string, number>();
    for (const r of heard) mapper.set(rollUp(r.h3, q.res), (mapper.get(rollUp(r.h3, q.res)) ?? 0) + r.n);
    const noSignal = new Map<string, { count: number; lastAt: Date }>();
    for (const r of unheard) {
      const cell = rollUp(r.h3, q.res);
      const seen = noSignal.get(cell);
      noSignal.set(cell, seen ? { count: seen.count + r.n, lastAt: seen.lastAt > r.last_at ? seen.lastAt : r.last_at } : { count: r.n, lastAt: r.last_at });
    }
    const candidates = [...noSignal.keys()];
    const covered = new Set(
      candidates.length === 0 ? [] : (await ctx.sql<{ h3: string }[]>`SELECT h3 FROM coverage_hexes WHERE resolution = ${q.res} AND h3 = ANY(${candidates}::text[])`).map((r) => r.h3),
    );
    return {
      resolution: q.res,
      mapper: [...mapper].map(([h3, frames]) => ({ h3, frames })),
      no_signal: [...noSignal].filter(([h3]) => !covered.has(h3)).map(([h3, m]) => ({ h3, count: m.count, last_at: m.lastAt.toISOString() })),
      truncated: heard.length === MAX_CELLS || unheard.length === MAX_CELLS,
    };
  });

  app.get('/hexes/:h3/mapper', { schema: { tags: ['map'], summary: 'Mapper measurements in a res-9 hex: frames heard and the hotspots that heard them, and unheard logged frames', params: z.object({ h3: z.string() }) } }, async (req) => {
    const h3 = cellOf((req.params as { h3: string }).h3);
    if (getResolution(h3) !== 9) return { h3, frames: [], no_signal: [], note: 'mapper measurements are listed for res-9 hexes; zoom in' };
    const frames = await ctx.sql<{ id: string; device_id: string; first_received_at: Date; status: string; reason: string | null; hotspots: { hotspot: string; name: string | null; signal: number; snr: number }[] }[]>`
      SELECT f.id::text, f.device_id::text, f.first_received_at, f.status, f.reason,
        coalesce((SELECT json_agg(json_build_object('hotspot', r.hotspot, 'name', h.name, 'signal', r.signal, 'snr', r.snr) ORDER BY r.signal DESC)
                  FROM mapper_receipts r LEFT JOIN hotspots h ON h.address = r.hotspot WHERE r.frame_id = f.id AND r.status = 'valid'), '[]') AS hotspots
      FROM mapper_frames f WHERE f.h3 = ${h3} ORDER BY f.first_received_at DESC LIMIT ${MAX_LISTED}`;
    const unheard = await ctx.sql<{ device_id: string; counter: string; sent_at: Date }[]>`
      SELECT device_id::text, counter::text, sent_at FROM mapper_log_entries WHERE h3 = ${h3} AND status = 'no_signal' ORDER BY sent_at DESC LIMIT ${MAX_LISTED}`;
    return {
      h3,
      frames: frames.map((f) => ({
        device_id: Number(f.device_id),
        received_at: f.first_received_at.toISOString(),
        status: f.status,
        reason: f.reason,
        heard_by: f.hotspots.map((h) => ({ hotspot: h.hotspot, name: h.name, rssi_dbm: h.signal / 10, snr_db: h.snr / 10 })),
      })),
      no_signal: unheard.map((u) => ({ device_id: Number(u.device_id), counter: Number(u.counter), sent_at: u.sent_at.toISOString() })),
    };
  });
}
