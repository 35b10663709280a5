import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { registerMapperDevice, type RegistrationOutcome } from '@poc/oracle';

/** Far above a registration's ~300 bytes of JSON; registerMapperDevice itself refuses over 2 KiB. */
export const MAPPER_REGISTRATION_MAX_BODY_BYTES = 4096;

type Refusal = Extract<RegistrationOutcome, { ok: false }>['reason'];
const STATUS: Record<Refusal, number> = {
  malformed: 400,
  stale: 400,
  from_the_future: 400,
  bad_signature: 401,
  not_sealed_to_this_oracle: 422,
  device_id_taken: 409,
  replayed: 409,
};

/**
 * POST /v1/mappers (mapper/README.md §Registering a mapper device): a mapper device's registration, signed by its
 * owner's wallet, with the device key sealed to the oracle's key-seal key. Stored as the operator CLI stores it
 * (oracle registerMapperDevice); the seal cannot be checked here, since this API never holds the seal secret.
 */
export async function mapperRegisterRoutes(app: FastifyInstance, ctx: { sql: Sql }) {
  app.post(
    '/v1/mappers',
    {
      bodyLimit: MAPPER_REGISTRATION_MAX_BODY_BYTES,
      schema: { tags: ['mappers'], summary: "Register (or re-key, same owner) a mapper device from its owner's signed registration" },
    },
    async (req, reply) => {
      const outcome = await registerMapperDevice(ctx.sql, JSON.stringify(req.body ?? null), {});
      if (!outcome.ok) {
        req.log.info({ reason: outcome.reason, detail: outcome.detail }, 'mapper registration refused');
        return reply.status(STATUS[outcome.reason]).send({ error: outcome.reason, message: outcome.detail });
      }
      req.log.info({ deviceId: outcome.deviceId, owner: outcome.owner, replaced: outcome.replaced }, 'mapper device registered');
      return reply.status(outcome.replaced ? 200 : 201).send({ device_id: outcome.deviceId, owner: outcome.owner, status: outcome.replaced ? 're-keyed' : 'registered' });
    },
  );
}
