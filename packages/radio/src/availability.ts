/**
 * A hotspot's availability: the share of time it is up and forwarding, estimated from its own liveness — of the time
 * slots it could have been seen in, the share it was (README.md §Estimated coverage, "Availability"). The combination
 * weighs each hotspot's link by it (common-shadowing.ts, HotspotMargin.availability).
 */

/** Availability of a hotspot with no history to judge it by (new, or not observed): even odds, stated, not fitted. */
export const AVAILABILITY_PRIOR = 0.5;

/**
 * Weight of the prior, in observed hours: a hotspot with a few hours of history stays near the prior, one observed
 * for a week (168 h) is judged almost wholly by its own record (always up: 0.98, never: 0.02).
 */
export const AVAILABILITY_PRIOR_HOURS = 6;

/**
 * (live + prior·w) / (observed + w): live slots over observed slots, pulled toward the prior by w slots (the default
 * is for one-hour slots; the oracle's 6-hour slots pass AVAILABILITY_PRIOR_HOURS / 6). Counts are clamped (live to
 * 0..observed, both finite and ≥ 0), so hostile or inconsistent counts give a value in 0..1.
 */
export function estimateAvailability(liveSlots: number, observedSlots: number, priorSlots: number = AVAILABILITY_PRIOR_HOURS): number {
  const observed = Number.isFinite(observedSlots) ? Math.max(0, observedSlots) : 0;
  const live = Number.isFinite(liveSlots) ? Math.min(Math.max(0, liveSlots), observed) : 0;
  const weight = Number.isFinite(priorSlots) ? Math.max(0, priorSlots) : AVAILABILITY_PRIOR_HOURS;
  if (observed + weight === 0) return AVAILABILITY_PRIOR;
  return (live + AVAILABILITY_PRIOR * weight) / (observed + weight);
}
