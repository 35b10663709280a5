/** One finding against one hotspot, with the reason an operator (or its owner) reads. */
export interface Evidence {
  hotspot: string;
  kind: EvidenceKind;
  reason: string;
  /** The numbers behind the reason, stored as JSON. */
  detail: Record<string, number | string>;
}

export type EvidenceKind = 'closed_group' | 'link_asymmetry' | 'geometry_mismatch';

/**
 * Reward factor per kind. A closed group hearing none of the closer hotspots around it is collusion or a relocated
 * group; the two radio checks can have innocent causes (a broken receiver, a mast in a valley) and only halve.
 */
export const EVIDENCE_SCALE: Record<EvidenceKind, number> = { closed_group: 0, link_asymmetry: 0.5, geometry_mismatch: 0.5 };
