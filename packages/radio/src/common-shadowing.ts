import { normalCdf } from './link-budget';

/**
 * Hotspots hearing one device are not independent: the device's own surroundings (building, terrain, clutter at the
 * device end) shadow every link from that position alike. The spread σ² = σ_common² + σ_link²; given the common
 * term s, links are independent, so P(any) = E_s[1 − Π(1 − Φ((m_i + s)/σ_link,i))], s ~ N(0, σ_common²), taken by
 * Gauss–Hermite quadrature (README.md §Estimated coverage). The expected number of hearers stays Σ Φ(m_i/σ_i).
 */

/**
 * Device-end site term, dB: the simulator's site term per end (packages/simulator/src/radio-model.ts). The fixture's
 * mobile device spreads more than this across its positions (README.md §Estimated coverage), so 6 dB is a lower bound
 * on the common part.
 */
export const DEVICE_SITE_SD_DB = 6;

/** Quadrature nodes: at the 6 dB device term within 1e-5 of a 64-node rule, at 10 dB within 0.005 (common-shadowing.test.ts). */
export const COMMON_SHADOWING_NODES = 10;

export interface Quadrature {
  /** Standard-normal abscissae x_k and weights w_k: E[g(Z)] ≈ Σ w_k g(x_k). */
  nodes: Float64Array;
  weights: Float64Array;
}

/** Gauss–Hermite rule for a standard normal (Newton on the physicists' Hermite recurrence, then scaled by √2). */
export function normalQuadrature(n: number): Quadrature {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new RangeError(`quadrature size ${n} is not 1..64`);
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const m = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * nodes[0]!;
    else if (i === 3) z = 1.91 * z - 0.91 * nodes[1]!;
    else z = 2 * z - nodes[i - 2]!;
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      // Orthonormal Hermite recurrence (weight e^{−x²}).
      let p1 = Math.PI ** -0.25;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      derivative = Math.sqrt(2 * n) * p2;
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) < 1e-14) break;
    }
    nodes[i] = z;
    nodes[n - 1 - i] = -z;
    weights[i] = weights[n - 1 - i] = 2 / (derivative * derivative);
  }
  // Physicists' rule → standard normal: x = √2·z, w = w_z / √π (nodes stored ascending).
  const order = [...nodes.keys()].sort((a, b) => nodes[a]! - nodes[b]!);
  const x = new Float64Array(order.map((k) => nodes[k]! * Math.SQRT2));
  const w = new Float64Array(order.map((k) => weights[k]! / Math.sqrt(Math.PI)));
  return { nodes: x, weights: w };
}

const DEFAULT_QUADRATURE = normalQuadrature(COMMON_SHADOWING_NODES);

/** One hotspot's link from a device position: mean margin over the demodulation floor and its total spread, dB. */
export interface HotspotMargin {
  marginDb: number;
  shadowingSdDb: number;
  /**
   * Share of time the hotspot is up and forwarding, 0..1 (absent: 1, always up). A frame is heard by this hotspot
   * with probability availability × P(radio link closes); up-states of different hotspots are taken as independent
   * (README.md §Estimated coverage, "Availability").
   */
  availability?: number;
}

/** An availability clamped to 0..1; absent or not a number counts as always up. */
export function availabilityOf(availability: number | undefined): number {
  return availability === undefined || Number.isNaN(availability) ? 1 : Math.min(1, Math.max(0, availability));
}

/**
 * log(1 − p_k) for one link at each quadrature node k (the common term at its node), into `out` — what an estimator
 * adds per hotspot so a cell costs additions only. The common part is capped at the link's own spread.
 */
export function conditionalLogMiss(link: HotspotMargin, commonSdDb: number, out: Float64Array, quadrature: Quadrature = DEFAULT_QUADRATURE): Float64Array {
  const total = link.shadowingSdDb;
  const common = Math.min(Math.max(commonSdDb, 0), total);
  const own = Math.sqrt(total * total - common * common);
  const availability = availabilityOf(link.availability);
  for (let k = 0; k < quadrature.nodes.length; k++) {
    const shifted = link.marginDb + common * quadrature.nodes[k]!;
    const p = own > 1e-9 ? normalCdf(shifted / own) : shifted >= 0 ? 1 : 0;
    out[k] = Math.log1p(-Math.min(availability * p, 1 - 1e-12));
  }
  return out;
}

/** P(at least one hotspot hears) from the per-node sums of log(1 − p_k) over the hotspots. */
export function anyFromLogMiss(logMiss: ArrayLike<number>, quadrature: Quadrature = DEFAULT_QUADRATURE): number {
  let any = 0;
  for (let k = 0; k < quadrature.weights.length; k++) any -= quadrature.weights[k]! * Math.expm1(logMiss[k]!);
  return Math.min(1, Math.max(0, any));
}

/**
 * Several hotspots hearing one device position, with the device-end shadowing common to all of them: P(any hears)
 * and the expected number of hearers (Σ a_i·p_i, unchanged by the correlation). With commonSdDb = 0 this is the
 * independent 1 − Π(1 − a_i·p_i); a_i is each link's availability (1 when absent).
 */
export function combineWithCommonShadowing(
  links: readonly HotspotMargin[],
  commonSdDb: number = DEVICE_SITE_SD_DB,
  quadrature: Quadrature = DEFAULT_QUADRATURE,
): { anyProbability: number; expectedHearers: number } {
  const sums = new Float64Array(quadrature.nodes.length);
  const one = new Float64Array(quadrature.nodes.length);
  let expected = 0;
  for (const link of links) {
    expected += availabilityOf(link.availability) * normalCdf(link.marginDb / link.shadowingSdDb);
    conditionalLogMiss(link, commonSdDb, one, quadrature);
    for (let k = 0; k < sums.length; k++) sums[k]! += one[k]!;
  }
  return { anyProbability: links.length === 0 ? 0 : anyFromLogMiss(sums, quadrature), expectedHearers: expected };
}
