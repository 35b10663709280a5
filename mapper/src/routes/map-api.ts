import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { isValidCell, latLngToCell } from 'h3-js';
import type { Sql } from 'postgres';
import { z } from 'zod';
import type { CoverageLookups } from '../coverage-lookups';
import { hexByCell, hexesInRanges, hotspotsForHex } from '../db/coverage';
import { estimatedHexesInRanges } from '../db/estimated';
import { hotspotDetail, hotspotsInBbox, searchHotspots } from '../db/hotspots';
import type { Freshness } from '../freshness';
import { bboxRanges, inBbox, MAX_RESOLUTION, MIN_RESOLUTION, parseBbox, resolutionForZoom } from '../h3-ranges';
import { HttpError } from '../http-errors';
import { placesInBbox, searchPlaces } from '../places';
import { SIGNAL_CLASSES } from '../signal';
import { parseTimeFilter } from '../time-filter';

export interface MapApiContext {
  sql: Sql;
  freshness: () => Promise<Freshness>;
  activeWindowMs: number;
  lookups: CoverageLookups;
  /** MapLibre style of a street basemap (MAP_STYLE_URL); null: the bundled offline Natural Earth basemap. */
  mapStyleUrl?: string | null;
}

export const MAP_HEX_PAGE_LIMIT = 5_000;

const latLng = {
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
};
const timeQuery = {
  window: z.enum(['24h', '7d', '30d', 'all']).optional(),
  as_of: z.string().optional(),
};

export function timeFilterOf(q: { window?: string; as_of?: string }) {
  const t = parseTimeFilter(q.window, q.as_of);
  if (typeof t === 'string') throw new HttpError(400, 'invalid_request', t);
  return t;
}

export function bboxOf(text: string) {
  const b = parseBbox(text);
  if (typeof b === 'string') throw new HttpError(400, 'invalid_request', b);
  return b;
}

export function cellOf(h3: string) {
  if (!isValidCell(h3)) throw new HttpError(400, 'invalid_request', `"${h3}" is not a valid H3 cell`);
  return h3.toLowerCase();
}

const PointQuery = z.object({ ...latLng, ...timeQuery });
const TimeQuery = z.object(timeQuery);
const HexesQuery = z.object({
  bbox: z.string(),
  res: z.coerce.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION).optional(),
  zoom: z.coerce.number().min(0).max(24).optional(),
  cursor: z.string().regex(/^[0-9a-f]{15}$/, 'cursor must be the next_cursor of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(MAP_HEX_PAGE_LIMIT).default(MAP_HEX_PAGE_LIMIT),
  ...timeQuery,
});
const EstimatedHexesQuery = z.object({
  bbox: z.string(),
  res: z.coerce.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION).optional(),
  zoom: z.coerce.number().min(0).max(24).optional(),
  cursor: z.string().regex(/^[0-9a-f]{15}$/, 'cursor must be the next_cursor of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(MAP_HEX_PAGE_LIMIT).default(MAP_HEX_PAGE_LIMIT),
});
const PlacesQuery = z.object({ bbox: z.string(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const HotspotsQuery = z.object({ bbox: z.string(), limit: z.coerce.number().int().min(1).max(10_000).default(5_000), ...timeQuery });
const SearchQuery = z.object({ q: z.string().trim().min(1, 'q must not be empty').max(100) });

/**
 * JSON endpoints the coverage map page uses (public, no API key), registered as a plugin under /api/v1; the server
 * gives the plugin its per-address rate limit. Query strings are validated by the zod schemas below.
 */
export async function mapApiRoutes(root: FastifyInstance, ctx: MapApiContext) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get('/signal-classes', { schema: { tags: ['map'], summary: 'Signal classes and their RSSI thresholds' } }, async () => ({
    signal_classes: SIGNAL_CLASSES.map((c) => ({ name: c.name, min_rssi_dbm: Number.isFinite(c.minRssiDbm) ? c.minRssiDbm : null, description: c.description })),
  }));

  app.get('/coverage', { schema: { tags: ['map'], summary: 'Coverage of the res-9 hex holding a point', querystring: PointQuery } }, async (req) => {
    const q = req.query;
    const h3 = latLngToCell(q.lat, q.lng, 9);
    const hex = await ctx.lookups.cell(h3, timeFilterOf(q));
    return { lat: q.lat, lng: q.lng, h3, resolution: 9, covered: hex !== null, coverage: hex, freshness: await ctx.freshness() };
  });

  app.get('/hexes', { schema: { tags: ['map'], summary: 'Covered hexes in a bbox at one resolution, paginated by cursor', querystring: HexesQuery } }, async (req) => {
    const q = req.query;
    const bbox = bboxOf(q.bbox);
    const res = q.res ?? (q.zoom !== undefined ? resolutionForZoom(q.zoom) : 9);
    const time = timeFilterOf(q);
    const page = await hexesInRanges(ctx.sql, res, bboxRanges(bbox, res), { time, cursor: q.cursor, limit: q.limit });
    // Ranges over-cover the box a little; keep hexes whose centre is within half a cell of it.
    const pad = res <= 5 ? 0.5 : res <= 7 ? 0.05 : 0.01;
    const hexes = page.hexes.filter((h) => inBbox(h.lat, h.lng, bbox, pad));
    return { resolution: res, hexes, next_cursor: page.nextCursor, freshness: await ctx.freshness() };
  });

  app.get('/map-config', { schema: { tags: ['map'], summary: 'What the map page needs besides data: the basemap style URL (null = offline basemap)' } }, async () => ({
    style_url: ctx.mapStyleUrl ?? null,
  }));

  app.get(
    '/estimated-hexes',
    { schema: { tags: ['map'], summary: 'Estimated coverage (reference device) in a bbox at one resolution, paginated by cursor', querystring: EstimatedHexesQuery } },
    async (req) => {
      const q = req.query;
      const bbox = bboxOf(q.bbox);
      const res = q.res ?? (q.zoom !== undefined ? resolutionForZoom(q.zoom) : 9);
      const ranges = bboxRanges(bbox, res).sort((a, b) => (a.lo < b.lo ? -1 : 1));
      const found = await estimatedHexesInRanges(ctx.sql, res, ranges, q.cursor ?? '', q.limit);
      const pad = res <= 5 ? 0.5 : res <= 7 ? 0.05 : 0.01;
      return {
        resolution: res,
        hexes: found.filter((h) => inBbox(h.lat, h.lng, bbox, pad)),
        next_cursor: found.length >= q.limit ? found[found.length - 1]!.h3 : null,
      };
    },
  );

  app.get('/places', { schema: { tags: ['map'], summary: 'The biggest places (GeoNames, population ≥ 1000) inside a bbox, for map labels', querystring: PlacesQuery } }, async (req) => ({
    places: placesInBbox(bboxOf(req.query.bbox), req.query.limit),
  }));

  app.get('/hexes/:h3', { schema: { tags: ['map'], summary: 'Hex detail: best signal, witnesses, hotspots that heard it', params: z.object({ h3: z.string() }), querystring: TimeQuery } }, async (req) => {
    const h3 = cellOf(req.params.h3);
    const t = timeFilterOf(req.query);
    const hex = await hexByCell(ctx.sql, h3, t);
    if (!hex) throw new HttpError(404, 'hex_not_covered', `no coverage recorded for hex ${h3} in the selected time range`);
    return { hex, hotspots: await hotspotsForHex(ctx.sql, h3, t), freshness: await ctx.freshness() };
  });

  app.get('/hotspots', { schema: { tags: ['map'], summary: 'Hotspots with a location inside a bbox', querystring: HotspotsQuery } }, async (req) => {
    const q = req.query;
    const t = timeFilterOf(q);
    const hotspots = await hotspotsInBbox(ctx.sql, bboxOf(q.bbox), { limit: q.limit, activeWindowMs: ctx.activeWindowMs, activeSince: t.since });
    return { hotspots, truncated: hotspots.length === q.limit, freshness: await ctx.freshness() };
  });

  app.get(
    '/hotspots/:address',
    { schema: { tags: ['map'], summary: 'Hotspot page: location, status, recent beacons/witnesses with validity reasons, rewards per epoch', params: z.object({ address: z.string() }), querystring: TimeQuery } },
    async (req) => {
      const t = timeFilterOf(req.query);
      const detail = await hotspotDetail(ctx.sql, req.params.address, { activeWindowMs: ctx.activeWindowMs, limit: 50, since: t.since });
      if (!detail) throw new HttpError(404, 'unknown_hotspot', `no hotspot with address ${req.params.address}`);
      return { hotspot: detail, freshness: await ctx.freshness() };
    },
  );

  app.get('/search', { schema: { tags: ['map'], summary: 'Search hotspots by name/address, places by name, or an H3 cell id', querystring: SearchQuery } }, async (req) => {
    const q = req.query;
    const hex = isValidCell(q.q) ? q.q.toLowerCase() : null;
    const hotspots = await searchHotspots(ctx.sql, q.q, { limit: 10, activeWindowMs: ctx.activeWindowMs });
    return { query: q.q, hex, hotspots, places: searchPlaces(q.q, 8) };
  });
}
