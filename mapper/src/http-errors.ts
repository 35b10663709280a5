import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/** An error whose message is safe and specific enough to show the caller as is. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new HttpError(400, 'invalid_request', `invalid ${where}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, issues);
  }
  return result.data;
}

const WHERE: Record<string, string> = { querystring: 'query', body: 'body', params: 'path', headers: 'headers' };

/**
 * One JSON error shape for every refusal: `{ error, message, details? }`. Validation failures of the zod route
 * schemas answer like parseInput does (400 invalid_request naming each field); any 5xx is logged and kept generic.
 */
export function errorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    return reply.status(error.statusCode).send({ error: error.code, message: error.message, details: error.details });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = WHERE[error.validationContext ?? ''] ?? 'request';
    const issues = error.validation.map((i) => ({ path: i.instancePath.slice(1).replaceAll('/', '.'), message: i.message }));
    const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return reply.status(400).send({ error: 'invalid_request', message: `invalid ${where}: ${text}`, details: issues });
  }
  const status = error.statusCode;
  if (status && status >= 400 && status < 500) {
    return reply.status(status).send({ error: error.code ?? 'bad_request', message: error.message });
  }
  req.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ error: 'internal_error', message: `internal error while serving ${req.method} ${req.routeOptions.url ?? req.url}; see server log` });
}
