import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Sql } from 'postgres';
import { z } from 'zod';
import { HttpError, parseInput } from '../http-errors';
import { checkLocation } from '../onboarding/location-check';
import type { OnboardingService } from '../onboarding/service';
import { doc } from './coverage-v1';

export interface OnboardingContext {
  sql: Sql;
  service: OnboardingService | null;
  /** Suggested address of the owner's bridge API, which the owner's browser calls itself (this server never does). */
  bridgeApiUrl?: string;
}

const keyText = z.string().trim().min(32).max(60);
const Parties = z.object({ owner: keyText, hotspot: keyText, maker: keyText });
const Prepare = Parties.extend({
  signature: z.string().min(80).max(100),
  h3: z.string().regex(/^[0-9a-f]{15}$/, 'h3 must be the res-12 cell of the pin'),
  gain_dbi: z.number().min(0).max(15),
  elevation_m: z.number().int().min(-100).max(5000),
  /** The highest onboarding fee the owner accepts (the one preflight showed); default: the fee as of preparing. */
  max_fee_lamports: z.string().regex(/^\d{1,20}$/).optional(),
});
const Submit = z.object({ owner: keyText, transaction: z.string().min(100).max(5000), owner_signature: z.string().min(80).max(100) });
const Location = z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), hotspot: z.string().optional() });
const Owner = z.object({ owner: keyText });
const Claim = z.object({ owner: keyText, hotspot: keyText });

/** Endpoints the onboarding app calls; each refusal has a specific error code and message. */
export async function onboardingRoutes(app: FastifyInstance, ctx: OnboardingContext) {
  const need = () => {
    if (!ctx.service) throw new HttpError(503, 'chain_not_configured', 'this map server is not connected to a chain, so onboarding is unavailable here');
    return ctx.service;
  };
  const tags = ['onboarding'];

  app.get('/api/v1/onboarding/config', { schema: { tags, summary: 'Network, program, maker and fee facts for the onboarding app' } }, async () => ({
    ...(await need().config()),
    bridge_url: ctx.bridgeApiUrl ?? null,
  }));
  app.post('/api/v1/onboarding/preflight', { schema: { tags, summary: 'Checks network, maker approval, duplicate onboarding and funds; lists every fee', body: doc(Parties) } }, async (req) =>
    need().preflight(ctx.sql, parseInput(Parties, req.body, 'body')),
  );
  app.post('/api/v1/onboarding/location-check', { schema: { tags, summary: 'Res-12 cell for a pin and warnings for an implausible spot', body: doc(Location) } }, async (req) => {
    const b = parseInput(Location, req.body, 'body');
    return checkLocation(ctx.sql, b.lat, b.lng, b.hotspot);
  });
  app.post('/api/v1/onboarding/transaction', { schema: { tags, summary: 'Onboard + assert-location transaction, maker-signed, for the owner to sign', body: doc(Prepare) } }, async (req) =>
    need().prepare(ctx.sql, parseInput(Prepare, req.body, 'body')),
  );
  app.post('/api/v1/onboarding/submit', { schema: { tags, summary: "Adds the owner's signature, sends and confirms", body: doc(Submit) } }, async (req) => {
    const input = parseInput(Submit, req.body, 'body');
    const sent = await need().submit(input);
    // The chain holds the truth; the maker's device list only follows it, so a failure here must not fail the answer.
    await need().recordOnboarded(ctx.sql, input).catch((error) => req.log.warn({ err: error }, 'could not mark the device onboarded in the maker list'));
    return sent;
  });
  app.post('/api/v1/onboarding/airdrop', { schema: { tags, summary: 'Demo SOL for a local/test chain wallet', body: doc(Owner) } }, async (req) =>
    need().airdrop(parseInput(Owner, req.body, 'body').owner),
  );
  app.get('/api/v1/onboarding/rewards', { schema: { tags, summary: "An owner's hotspots with earned, claimed and claimable rewards" } }, async (req) =>
    need().rewards(ctx.sql, parseInput(Owner, req.query, 'query').owner),
  );
  app.post('/api/v1/onboarding/claim', { schema: { tags, summary: 'Claim transaction for a hotspot’s rewards up to the latest epoch on chain, for the owner to sign and pay', body: doc(Claim) } }, async (req) =>
    need().prepareClaim(ctx.sql, parseInput(Claim, req.body, 'body')),
  );
  app.post('/api/v1/onboarding/claim/submit', { schema: { tags, summary: "Adds the owner's signature to a claim, sends and confirms", body: doc(Submit) } }, async (req) =>
    need().submitClaim(parseInput(Submit, req.body, 'body')),
  );
  app.get('/api/v1/onboarding/balance', { schema: { tags, summary: 'SOL balance of a wallet' } }, async (req) => need().balance(parseInput(Owner, req.query, 'query').owner));
}
