import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import type { Sql } from 'postgres';
import { z } from 'zod';
import { apiKeyVerifier } from '../api-keys';
import { carrierAuthHook } from '../carrier-auth';
import { cellAnswer, cellAnswerDoc, COVERAGE_SOURCES, type CellAnswer, type CoverageSource, type MapperEvidence } from '../cell-answer';
import type { CoverageLookups } from '../coverage-lookups';
import { hexesInRanges, type HexCoverage } from '../db/coverage';
import { deviceEcho, deviceFields, deviceProfileOf } from '../device-profile';
import type { HotspotEstimates } from '../estimates';
import type { MapperMeasurements } from '../mapper-measurements';
import { pointAnswerJson, pointAnswerOf } from '../point-answer';
import type { TimeFilter } from '../db/coverage';
import type { Freshness, FreshnessSource } from '../freshness';
import { cellsForPolygons, LIMITS, polygonsOf, sampleRoute, type Position } from '../geo';
import { bboxRanges, inBbox, MAX_RESOLUTION, MIN_RESOLUTION } from '../h3-ranges';
import { invalidKeyLimiter } from '../invalid-key-limiter';
import { perKeyRateLimit } from '../rate-limits';
import { SIGNAL_CLASS_TEXT, SIGNAL_CLASSES, type SignalClass } from '../signal';
import { bboxOf, timeFilterOf } from './map-api';

export interface CoverageV1Context {
  sql: Sql;
  /** Read-only coverage queries (a replica through the mapper's ReadRouter); `sql` keeps the API-key writes. */
  readSql?: Sql;
  freshness: FreshnessSource;
  /** Off only for local demos; carriers' endpoints need a key by default. */
  requireApiKey: boolean;
  lookups: CoverageLookups;
  /** The model's estimate for any device; null serves measured coverage only. */
  estimates: HotspotEstimates | null;
  /** Mapper-measured cells (heard, measured no-signal); null answers without them. */
  mapperMeasurements?: MapperMeasurements | null;
  /** Limit per address when keys are not required (a key's own limit applies otherwise). */
  keylessRateLimitPerMinute: number;
  /** Refused API keys allowed per client address per minute before it gets 429 without a lookup. */
  invalidApiKeysPerMinute: number;
}

/** JSON Schema for the OpenAPI document, derived from the zod schema that actually validates. */
export function doc(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const lat = z.coerce.number().min(-90).max(90).describe('latitude, WGS84 degrees');
const lng = z.coerce.number().min(-180).max(180).describe('longitude, WGS84 degrees');
const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const time = {
  window: z.enum(['24h', '7d', '30d', 'all']).optional().describe(
    'Time window, counted in whole UTC days: 24h = yesterday and today (UTC), 7d = today and the 7 days before, 30d = today and the 30 days before ' +
      '(the days the last 24 h / 7 d / 30 d touch). A hex is covered when heard on one of those days; best_rssi_dbm, best_snr_db, witness_count, ' +
      'hotspot_count (distinct hotspots) and last_seen_at are those of exactly those days, first_seen_at is when the hex was first heard at all. ' +
      'all (default): all-time values. Ignored when as_of is given.',
  ),
  as_of: z.string().optional().describe(
    'ISO 8601 date or date-time: coverage as it stood then = the whole UTC days from the day of (as_of − 30 days) to the day of as_of, inclusive ' +
      '(as_of=2026-10-01: 1 September to 1 October 2026, all of 1 October included), aggregated like window. Takes precedence over window. ' +
      'Daily history is kept for the oracle’s retention (default 90 days), so as_of works up to about 60 days back by default; older dates find no coverage.',
  ),
};
const resolution = z.coerce.number().int().min(MIN_RESOLUTION).max(MAX_RESOLUTION).default(9).describe('H3 resolution (9 = measured; 4–8 = rollups)');

const PointQuery = z.object({ lat, lng, ...time, ...deviceFields });
const PointsBody = z.object({
  points: z.array(z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), id: z.string().max(100).optional() })).min(1).max(LIMITS.maxBatchPoints),
  ...time,
  ...deviceFields,
});
const polygonGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position).min(3)).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position).min(3)).min(1)).min(1) }),
]);
const AreaBody = z.object({
  area: z.union([polygonGeometry, z.object({ type: z.literal('Feature'), geometry: polygonGeometry, properties: z.unknown().optional() })]).describe('GeoJSON Polygon, MultiPolygon or a Feature holding one'),
  resolution,
  include_hexes: z.boolean().default(true),
  ...time,
  ...deviceFields,
});
const lineGeometry = z.object({ type: z.literal('LineString'), coordinates: z.array(position).min(2) });
const RouteBody = z.object({
  route: z.union([lineGeometry, z.object({ type: z.literal('Feature'), geometry: lineGeometry, properties: z.unknown().optional() })]).describe('GeoJSON LineString or a Feature holding one'),
  resolution,
  ...time,
  ...deviceFields,
});
const HexesQuery = z.object({
  bbox: z.string().describe('west,south,east,north in degrees'),
  resolution,
  format: z.enum(['geojson', 'h3']).default('geojson'),
  cursor: z.string().regex(/^[0-9a-f]{15}$/, 'cursor must be the next_cursor of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
  ...time,
});

const freshnessDoc = {
  type: 'object',
  description: 'coverage_updated_at: newest measurement in the data; generated_at: when this answer was made',
  properties: { coverage_updated_at: { type: 'string', format: 'date-time', nullable: true }, generated_at: { type: 'string', format: 'date-time' } },
};
const errorDoc = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } };
const commonResponses = {
  400: { description: 'invalid input; `error` names the problem (invalid_request, too_many_vertices, area_too_large, route_too_long, invalid_geometry)', ...errorDoc },
  401: { description: 'missing_api_key or invalid_api_key', ...errorDoc },
  403: { description: 'revoked_api_key', ...errorDoc },
  429: { description: 'rate limit of the key exceeded; see Retry-After', ...errorDoc },
};
const hexDoc = {
  type: 'object',
  properties: {
    h3: { type: 'string' },
    resolution: { type: 'integer' },
    lat: { type: 'number' },
    lng: { type: 'number' },
    signal_class: { type: 'string', enum: SIGNAL_CLASSES.map((c) => c.name) },
    best_rssi_dbm: { type: 'number' },
    best_snr_db: { type: 'number' },
    witness_count: { type: 'integer' },
    hotspot_count: { type: 'integer' },
    first_seen_at: { type: 'string', format: 'date-time' },
    last_seen_at: { type: 'string', format: 'date-time' },
  },
};

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const deviceDoc = {
  type: 'object',
  description: 'the device the answer is for (defaults applied)',
  properties: { tx_power_dbm: { type: 'number' }, antenna_gain_dbi: { type: 'number' }, spreading_factor: { anyOf: [{ type: 'integer' }, { type: 'string' }] }, environment: { type: 'string' } },
};

function countBySource(answers: Iterable<CellAnswer>): Record<CoverageSource, number> {
  const out = Object.fromEntries(COVERAGE_SOURCES.map((s) => [s, 0])) as Record<CoverageSource, number>;
  for (const a of answers) out[a.source]++;
  return out;
}

function countByClass(hexes: Iterable<HexCoverage>): Record<SignalClass, number> {
  const out = Object.fromEntries(SIGNAL_CLASSES.map((c) => [c.name, 0])) as Record<SignalClass, number>;
  for (const h of hexes) out[h.signal_class]++;
  return out;
}

/**
 * Carriers' coverage API, registered as an encapsulated plugin under /v1: its API-key hook and per-key rate limit
 * apply to exactly the routes the router runs inside it, however the URL was spelled. No CORS: keys are for servers.
 */
export async function coverageV1Routes(root: FastifyInstance, ctx: CoverageV1Context) {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const security = [{ apiKey: [] }];
  app.addHook('onRequest', carrierAuthHook({ verify: apiKeyVerifier(ctx.sql), requireApiKey: ctx.requireApiKey, invalidKeys: invalidKeyLimiter({ perMinute: ctx.invalidApiKeysPerMinute }) }));
  app.addHook('onRequest', perKeyRateLimit(ctx.keylessRateLimitPerMinute));

  app.get('/signal-classes', { schema: { tags: ['coverage'], summary: 'Signal classes and their thresholds', description: SIGNAL_CLASS_TEXT, security } }, async () => ({
    signal_classes: SIGNAL_CLASSES.map((c) => ({ name: c.name, min_rssi_dbm: Number.isFinite(c.minRssiDbm) ? c.minRssiDbm : null, description: c.description })),
    measured_from: 'best RSSI of valid witness reports of beacons heard in the hex (res 9); rollups keep the best of their children',
  }));

  app.get(
    '/coverage/point',
    {
      schema: {
        tags: ['coverage'],
        summary: 'Coverage at a point (its res-9 hex) for a device',
        description:
          'covered/coverage: measured coverage of the hex. source says where the answer comes from (measured wins over estimated), confidence is the probability that one ' +
          'uplink of the device described (defaults: 14 dBm, 0 dBi, any spreading factor, outdoor) from the hex is heard by at least one hotspot (estimated at the hex centre, like area and route cells), expected_hotspots how many hotspots are expected to hear it.',
        security,
        querystring: PointQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              lat: { type: 'number' },
              lng: { type: 'number' },
              h3: { type: 'string' },
              resolution: { type: 'integer' },
              covered: { type: 'boolean', description: 'measured: a transmitter in this hex was heard (see source and confidence for the estimate)' },
              signal_class: { type: 'string', nullable: true },
              coverage: { ...hexDoc, nullable: true },
              ...cellAnswerDoc,
              device: deviceDoc,
              freshness: freshnessDoc,
            },
          },
          ...commonResponses,
        },
      },
    },
    // Not async: when memory holds the answer it is returned without a promise (the hot path of the benchmark), as the
    // JSON text the 200 schema documents (pointAnswerJson), which fastify sends as is.
    (req, reply) => {
      const q = req.query;
      const h3 = latLngToCell(q.lat, q.lng, 9);
      const time = timeFilterOf(q);
      const hex = ctx.lookups.cellNow(h3, time, 9);
      const freshness = ctx.freshness.peek();
      const estimate = ctx.estimates?.atCell(h3, deviceProfileOf(q)) ?? null;
      const device = deviceEcho(q);
      reply.type(JSON_CONTENT_TYPE);
      if (hex !== undefined && freshness) return pointAnswerJson(pointAnswerOf(q, h3, hex, cellAnswer(hex, estimate, evidenceAt(ctx, h3, time)), device, freshness));
      return (async () => {
        const found = hex !== undefined ? hex : await ctx.lookups.cell(h3, time);
        return pointAnswerJson(pointAnswerOf(q, h3, found, cellAnswer(found, estimate, evidenceAt(ctx, h3, time)), device, await ctx.freshness()));
      })();
    },
  );

  app.post(
    '/coverage/points',
    { schema: { tags: ['coverage'], summary: `Batch point query (up to ${LIMITS.maxBatchPoints} points)`, security, body: PointsBody, response: commonResponses } },
    async (req) => {
      const body = req.body;
      const cells = body.points.map((p) => latLngToCell(p.lat, p.lng, 9));
      const found = await ctx.lookups.cells(9, [...new Set(cells)], timeFilterOf(body));
      const device = deviceProfileOf(body);
      const echo = deviceEcho(body);
      const freshness = await ctx.freshness();
      const results = body.points.map((p, i) => {
        const hex = found.get(cells[i]!) ?? null;
        // The single point's answer; device and freshness are said once for the whole batch.
        const { device: _device, freshness: _freshness, ...answer } = pointAnswerOf(
          p, cells[i]!, hex, cellAnswer(hex, ctx.estimates?.atCell(cells[i]!, device) ?? null, evidenceAt(ctx, cells[i]!, timeFilterOf(body))), echo, freshness,
        );
        return p.id !== undefined ? { id: p.id, ...answer } : answer;
      });
      return { count: results.length, covered_count: results.filter((r) => r.covered).length, results, device: echo, freshness };
    },
  );

  app.post(
    '/coverage/area',
    {
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        tags: ['coverage'],
        summary: 'Coverage of a polygon: covered fraction, counts by signal class, covered hex list',
        description:
          `Cells are the H3 cells whose centre lies in the polygon. Limits: ${LIMITS.maxVertices} vertices, ${LIMITS.maxAreaCells} cells at the requested resolution (about 26,000 km² at res 9). ` +
          'covered_count/covered_fraction count measured hexes; expected_covered_fraction is the mean confidence over all cells (measured or estimated, for the device described), ' +
          'likely_covered_fraction the share with confidence ≥ 0.5; cells lists every cell that is measured or in reach of a hotspot, with source and confidence.',
        security,
        body: AreaBody,
        response: commonResponses,
      },
    },
    async (req) => {
      const body = req.body;
      const geometry = body.area.type === 'Feature' ? body.area.geometry : body.area;
      const { cells, areaKm2 } = await cellsForPolygons(polygonsOf(geometry as never), body.resolution);
      const covered = await ctx.lookups.cells(body.resolution, cells, timeFilterOf(body));
      const answers = answerCells(ctx, cells, covered, deviceProfileOf(body), timeFilterOf(body));
      let confidenceSum = 0;
      let likely = 0;
      for (const a of answers.values()) {
        confidenceSum += a.confidence;
        if (a.confidence >= 0.5) likely++;
      }
      return {
        resolution: body.resolution,
        area_km2: Number(areaKm2.toFixed(3)),
        hex_count: cells.length,
        covered_count: covered.size,
        covered_fraction: cells.length ? covered.size / cells.length : 0,
        expected_covered_fraction: cells.length ? Number((confidenceSum / cells.length).toFixed(4)) : 0,
        likely_covered_fraction: cells.length ? Number((likely / cells.length).toFixed(4)) : 0,
        by_source: countBySource(answers.values()),
        by_signal_class: countByClass(covered.values()),
        hexes: body.include_hexes ? [...covered.values()].sort((a, b) => (a.h3 < b.h3 ? -1 : 1)) : undefined,
        cells: body.include_hexes
          ? [...answers].filter(([, a]) => a.source !== 'unmapped').sort(([a], [b]) => (a < b ? -1 : 1)).map(([h3, a]) => ({ h3, ...a }))
          : undefined,
        device: deviceEcho(body),
        freshness: await ctx.freshness(),
      };
    },
  );

  app.post(
    '/coverage/route',
    {
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        tags: ['coverage'],
        summary: 'Coverage along a route: covered fraction of its length and the gaps',
        description: `The line is sampled every half hex edge. Limits: ${LIMITS.maxRouteVertices} vertices, ${LIMITS.maxRouteKm} km.`,
        security,
        body: RouteBody,
        response: commonResponses,
      },
    },
    async (req) => {
      const body = req.body;
      const line = (body.route.type === 'Feature' ? body.route.geometry : body.route).coordinates as Position[];
      const { samples, lengthM } = sampleRoute(line, body.resolution);
      const uniqueCells = [...new Set(samples.map((s) => s.cell))];
      const covered = await ctx.lookups.cells(body.resolution, uniqueCells, timeFilterOf(body));
      const answers = answerCells(ctx, uniqueCells, covered, deviceProfileOf(body), timeFilterOf(body));
      let expectedM = 0;
      const gaps: { start: Position; end: Position; from_m: number; to_m: number; length_m: number; hexes: string[] }[] = [];
      let coveredM = 0;
      let gap: (typeof gaps)[number] | null = null;
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i]!;
        const segment = i === 0 ? 0 : s.at_m - samples[i - 1]!.at_m;
        const isCovered = covered.has(s.cell);
        expectedM += segment * (answers.get(s.cell)?.confidence ?? 0);
        if (isCovered) {
          coveredM += segment;
          gap = null;
        } else if (!gap) {
          gap = { start: [s.lng, s.lat], end: [s.lng, s.lat], from_m: s.at_m, to_m: s.at_m, length_m: 0, hexes: [s.cell] };
          gaps.push(gap);
        } else {
          gap.end = [s.lng, s.lat];
          gap.to_m = s.at_m;
          gap.length_m = Math.round(gap.to_m - gap.from_m);
          if (gap.hexes[gap.hexes.length - 1] !== s.cell) gap.hexes.push(s.cell);
        }
      }
      return {
        resolution: body.resolution,
        length_m: Math.round(lengthM),
        covered_length_m: Math.round(coveredM),
        covered_fraction: lengthM > 0 ? coveredM / lengthM : covered.size > 0 ? 1 : 0,
        expected_covered_fraction: lengthM > 0 ? Number((expectedM / lengthM).toFixed(4)) : (answers.get(uniqueCells[0]!)?.confidence ?? 0),
        hex_count: uniqueCells.length,
        covered_hex_count: covered.size,
        by_source: countBySource(answers.values()),
        by_signal_class: countByClass(covered.values()),
        gaps: gaps.map((g) => ({ ...g, from_m: Math.round(g.from_m), to_m: Math.round(g.to_m) })),
        device: deviceEcho(body),
        freshness: await ctx.freshness(),
      };
    },
  );

  app.get(
    '/coverage/hexes',
    {
      schema: {
        tags: ['coverage'],
        summary: 'Covered hexes in a bbox at one resolution, as GeoJSON or an H3 list, paginated by cursor',
        security,
        querystring: HexesQuery,
        response: commonResponses,
      },
    },
    async (req) => {
      const q = req.query;
      const bbox = bboxOf(q.bbox);
      const page = await hexesInRanges(ctx.readSql ?? ctx.sql, q.resolution, bboxRanges(bbox, q.resolution), { time: timeFilterOf(q), cursor: q.cursor, limit: q.limit });
      const next_cursor = page.nextCursor;
      const hexes = page.hexes.filter((h) => inBbox(h.lat, h.lng, bbox, q.resolution <= 5 ? 0.5 : q.resolution <= 7 ? 0.05 : 0.01));
      const freshness = await ctx.freshness();
      if (q.format === 'h3') return { resolution: q.resolution, hexes: hexes.map((h) => h.h3), signal_classes: hexes.map((h) => h.signal_class), next_cursor, freshness };
      return {
        type: 'FeatureCollection',
        resolution: q.resolution,
        next_cursor,
        freshness,
        features: hexes.map((h) => ({ type: 'Feature', id: h.h3, geometry: { type: 'Polygon', coordinates: [cellToBoundary(h.h3, true)] }, properties: h })),
      };
    },
  );
}

/** Each cell's answer for the device: measured row if any, else the model's estimate at the cell's centre. */
function answerCells(ctx: CoverageV1Context, cells: readonly string[], measured: Map<string, HexCoverage>, device: ReturnType<typeof deviceProfileOf>, time: TimeFilter): Map<string, CellAnswer> {
  const out = new Map<string, CellAnswer>();
  for (const h3 of cells) {
    if (out.has(h3)) continue;
    const [lat, lng] = cellToLatLng(h3);
    out.set(h3, cellAnswer(measured.get(h3) ?? null, ctx.estimates?.at(lat, lng, device) ?? null, evidenceAt(ctx, h3, time)));
  }
  return out;
}

/** What mappers measured at the cell in the window: a heard frame (source mapper), or only unheard logged frames. */
function evidenceAt(ctx: CoverageV1Context, h3: string, time: TimeFilter): MapperEvidence | null {
  const m = ctx.mapperMeasurements;
  return m ? { mapper: m.at('mapper', h3, time), noSignal: m.at('no_signal', h3, time) } : null;
}
