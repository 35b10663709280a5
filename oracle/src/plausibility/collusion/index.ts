import type { TransactionSql } from 'postgres';
import type { LinkGraph } from '../link-graph';
import { closedGroupEvidence } from './closed-group';
import { EVIDENCE_SCALE, type Evidence } from './evidence';
import { geometryEvidence } from './geometry';
import { linkAsymmetryEvidence } from './link-asymmetry';

export type { Evidence, EvidenceKind } from './evidence';
export { closedGroupEvidence, components } from './closed-group';
export { linkAsymmetryEvidence } from './link-asymmetry';
export { fitPropagationModel, geometryEvidence, type PropagationModel } from './geometry';

/** Every kind of collusion evidence over one window's witness graph; each kind is its own function. */
export function collusionEvidence(graph: LinkGraph): Evidence[] {
  return [...closedGroupEvidence(graph), ...linkAsymmetryEvidence(graph), ...geometryEvidence(graph)];
}

/** Reward factor per flagged hotspot: the product of its findings' factors, 4 dp. */
export function collusionScales(evidence: readonly Evidence[]): Map<string, number> {
  const scales = new Map<string, number>();
  for (const e of evidence) scales.set(e.hotspot, (scales.get(e.hotspot) ?? 1) * EVIDENCE_SCALE[e.kind]);
  for (const [h, s] of scales) scales.set(h, Math.round(s * 10_000) / 10_000);
  return scales;
}

/**
 * Replaces the stored flags with `evidence` (call in the trust transaction): findings no longer made are removed,
 * repeated ones keep their first_flagged_at, and hotspot_trust.collusion_scale follows.
 */
export async function storeCollusionFlags(tx: TransactionSql, evidence: readonly Evidence[]): Promise<Map<string, number>> {
  const rows = [...evidence].sort((a, b) => (a.hotspot < b.hotspot ? -1 : a.hotspot > b.hotspot ? 1 : a.kind < b.kind ? -1 : 1));
  const hotspots = rows.map((e) => e.hotspot);
  const kinds = rows.map((e) => e.kind);
  await tx`
    DELETE FROM hotspot_flags f WHERE NOT EXISTS (
      SELECT 1 FROM unnest(${hotspots}::text[], ${kinds}::text[]) AS c(hotspot, evidence) WHERE c.hotspot = f.hotspot AND c.evidence = f.evidence)`;
  if (rows.length > 0) {
    await tx`
      INSERT INTO hotspot_flags (hotspot, evidence, reason, detail, scale)
      SELECT h, k, r, d::jsonb, s FROM unnest(${hotspots}::text[], ${kinds}::text[], ${rows.map((e) => e.reason)}::text[],
        ${rows.map((e) => JSON.stringify(e.detail))}::text[], ${rows.map((e) => EVIDENCE_SCALE[e.kind])}::float8[]) AS u(h, k, r, d, s)
      ON CONFLICT (hotspot, evidence) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail, scale = EXCLUDED.scale, updated_at = now()`;
  }
  const scales = collusionScales(evidence);
  const flagged = [...scales.keys()].sort();
  // A flagged hotspot may have no plausibility samples of its own yet: give it a neutral row to carry the scale.
  await tx`
    INSERT INTO hotspot_trust (hotspot, samples, implausible, trust_score)
    SELECT h, 0, 0, 1 FROM unnest(${flagged}::text[]) AS u(h) ON CONFLICT (hotspot) DO NOTHING`;
  await tx`UPDATE hotspot_trust SET collusion_scale = 1 WHERE collusion_scale <> 1 AND hotspot <> ALL(${flagged}::text[])`;
  await tx`
    UPDATE hotspot_trust t SET collusion_scale = u.s
    FROM unnest(${flagged}::text[], ${flagged.map((h) => scales.get(h)!)}::float8[]) AS u(h, s)
    WHERE t.hotspot = u.h AND t.collusion_scale <> u.s`;
  return scales;
}
