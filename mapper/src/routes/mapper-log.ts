import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { z } from 'zod';
import { MAPPER_LOG_MAX_BODY_BYTES, MAPPER_LOG_MAX_ENTRIES, mapperLogSchema, verifyMapperLog } from '@poc/protocol';
import { HttpError } from '../http-errors';
import { checkLogEntries, uploadTimeRefusal, type LogRefusal } from '../mapper-logs/check';
import { deviceOwner, receivedFrames, recordRefusedUpload, storeAcceptedUpload } from '../mapper-logs/store';

export interface MapperLogContext {
  sql: Sql;
  /** How long after a frame was sent the oracle waits for late receipts before calling it unheard (for the answer). */
  graceSeconds: number;
  now?: () => number;
}

const Params = z.object({ deviceId: z.string().regex(/^\d{1,10}$/, 'device id must be a decimal u32').transform(Number).refine((n) => n <= 0xffff_ffff, 'device id must be a u32') });

/**
 * POST /v1/mappers/:deviceId/log (mapper/README.md §Mapper logs): a mapper's log of frames sent, signed by the
 * device's owner wallet. Refused uploads of a registered device are recorded with their reasons; an accepted one is
 * stored for the oracle, which checks each frame's MIC and turns unheard frames into measured "no signal".
 */
export async function mapperLogRoutes(app: FastifyInstance, ctx: MapperLogContext) {
  const now = ctx.now ?? Date.now;
  app.post(
    '/v1/mappers/:deviceId/log',
    {
      bodyLimit: MAPPER_LOG_MAX_BODY_BYTES,
      schema: {
        tags: ['mappers'],
        summary: `Upload a mapper's log of frames sent (≤ ${MAPPER_LOG_MAX_ENTRIES} entries, owner-signed); unheard frames become measured no-signal`,
      },
    },
    async (req, reply) => {
      const params = Params.safeParse(req.params);
      if (!params.success) throw new HttpError(400, 'invalid_request', 'device id must be a decimal u32');
      const deviceId = params.data.deviceId;
      const owner = await deviceOwner(ctx.sql, deviceId);
      if (!owner) throw new HttpError(404, 'unknown_device', `no registered mapper device ${deviceId}`);
      const client = req.ip;
      const refuse = async (status: number, reason: LogRefusal, message: string, detail: Parameters<typeof recordRefusedUpload>[1]['detail'], entryCount: number) => {
        const uploadId = await recordRefusedUpload(ctx.sql, { deviceId, client, entryCount, reason, detail });
        req.log.info({ deviceId, reason, uploadId }, 'mapper log refused');
        return reply.status(status).send({ error: reason, message, upload_id: uploadId, details: Array.isArray(detail) ? detail : undefined });
      };

      const parsed = mapperLogSchema.safeParse(req.body);
      if (!parsed.success) {
        const text = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        return refuse(400, 'invalid_request', `invalid body: ${text}`, text, 0);
      }
      const upload = parsed.data;
      const count = upload.entries.length;
      if (upload.device_id !== deviceId) return refuse(400, 'device_mismatch', `the body is for device ${upload.device_id}`, `body device ${upload.device_id}`, count);
      if (upload.owner !== owner) return refuse(403, 'not_owner', 'the upload is not signed by the device owner', `signed as ${upload.owner.slice(0, 64)}`, count);
      if (!verifyMapperLog(upload, owner)) return refuse(401, 'bad_signature', "the owner's signature does not verify over the log", 'signature', count);
      const nowMs = now();
      const stale = uploadTimeRefusal(upload.uploaded_at, nowMs);
      if (stale) return refuse(400, stale.reason, stale.detail, stale.detail, count);

      const times = upload.entries.map((e) => e.sent_at_ms);
      const received = await receivedFrames(ctx.sql, deviceId, Math.min(...times), Math.max(...times));
      const checked = checkLogEntries(upload, received, nowMs);
      if (!checked.ok) {
        const first = checked.refusals[0]!;
        return refuse(422, first.reason, `${checked.refusals.length} of ${count} entries refused; first: entry ${first.index} (counter ${first.counter}): ${first.reason} — ${first.detail}`, checked.refusals, count);
      }
      const stored = await storeAcceptedUpload(ctx.sql, { deviceId, client, entries: checked.entries });
      return reply.status(202).send({
        upload_id: stored.uploadId,
        accepted: count,
        new_entries: stored.stored,
        already_uploaded: count - stored.stored,
        judged_after: new Date(Math.max(...times) + ctx.graceSeconds * 1000).toISOString(),
      });
    },
  );
}
