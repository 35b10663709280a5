/** One finding against one hotspot, with the reason an operator (or its owner) reads. */
export interface Evidence {
  hotspot: string;
  kind: EvidenceKind;
  reason: string;
  /** The numbers behind the reason, stored as JSON. */
  detail: Record<string, number | string>;
}

export type EvidenceKind = 'closed_group' | 'link_asymmetry' | 'geometry_mismatch' | 'location_mismatch';

/**
 * Reward factor per kind. A closed group hearing none of the closer hotspots around it is collusion or a relocated
 * group; the radio checks can have innocent causes (a broken receiver, a mast in a valley) and only halve.
 * `location_mismatch` (../location-evidence.ts) halves too: it flags ~1 % of honest hotspot-weeks on the real data
 * (README.md §Radio model and spoof detection) — a site much better than the model, line of sight across a valley —
 * so 0 would zero one honest hotspot in a hundred; and the links it rests on already lower the plausibility trust
 * when they are implausible one by one, which the factor multiplies.
 */
export const EVIDENCE_SCALE: Record<EvidenceKind, number> = { closed_group: 0, link_asymmetry: 0.5, geometry_mismatch: 0.5, location_mismatch: 0.5 };
