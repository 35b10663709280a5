import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { $ZodType } from 'zod/v4/core';
import { SIGNAL_CLASS_TEXT } from './signal';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
const REQUEST_PARTS = ['querystring', 'body', 'params', 'headers'] as const;

/**
 * Request schemas written in zod (the ones that validate) become JSON Schema in the document through the type
 * provider's transform; response documentation and routes that still declare plain JSON Schema pass through as is.
 */
function documentSchemas(input: TransformInput) {
  const schema = input.schema as Record<string, unknown> | undefined;
  if (!schema) return input;
  const zodParts: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(schema)) {
    if ((REQUEST_PARTS as readonly string[]).includes(name) && value instanceof $ZodType) zodParts[name] = value;
    else if (name !== 'hide') rest[name] = value;
  }
  if (schema.hide) return jsonSchemaTransform({ ...input, schema: { hide: true } as never });
  const transformed = jsonSchemaTransform({ ...input, schema: zodParts as never });
  return { ...transformed, schema: { ...rest, ...(transformed.schema as Record<string, unknown>) } };
}

/** OpenAPI 3 document built from the route schemas; must be registered before the routes. */
export async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    transform: documentSchemas,
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'PoC coverage network — coverage API',
        version: '1.0.0',
        description: [
          'Measured LoRaWAN coverage from proof-of-coverage witness reports, on the H3 grid (res 9 base, rollups at 4–8).',
          `Signal classes from a hex's best RSSI — ${SIGNAL_CLASS_TEXT}.`,
          'Every answer carries `freshness.coverage_updated_at` (newest measurement) and `freshness.generated_at`.',
          'Carrier endpoints under /v1 need an API key (`x-api-key: poc_<id>_<secret>` or `Authorization: Bearer …`) and are rate limited per key (429 with Retry-After).',
          'The /api/v1 endpoints feed the public map and are rate limited per IP.',
        ].join('\n\n'),
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } },
      },
      tags: [
        { name: 'coverage', description: "Carriers' coverage API (API key)" },
        { name: 'map', description: 'Public endpoints used by the coverage map' },
        { name: 'onboarding', description: 'Hotspot onboarding helpers' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
