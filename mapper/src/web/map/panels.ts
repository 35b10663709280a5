import { esc, fmtTime } from '../api';

export interface HexCoverage {
  h3: string;
  resolution: number;
  lat: number;
  lng: number;
  signal_class: string;
  best_rssi_dbm: number;
  best_snr_db: number;
  witness_count: number;
  hotspot_count: number;
  first_seen_at: string;
  last_seen_at: string;
}

export interface HexHotspot {
  address: string;
  name: string | null;
  best_rssi_dbm: number;
  best_snr_db: number;
  witness_count: number;
  last_seen_at: string;
  distance_m: number | null;
}

export function hexPanel(hex: HexCoverage, hotspots: HexHotspot[]): string {
  return `
    <h2>Hex ${esc(hex.h3)}</h2>
    <dl>
      <dt>Signal</dt><dd><span class="badge ${esc(hex.signal_class)}">${esc(hex.signal_class)}</span></dd>
      <dt>Best RSSI</dt><dd>${hex.best_rssi_dbm.toFixed(1)} dBm</dd>
      <dt>Best SNR</dt><dd>${hex.best_snr_db.toFixed(1)} dB</dd>
      <dt>Witnesses</dt><dd>${hex.witness_count}</dd>
      <dt>Hotspots</dt><dd>${hex.hotspot_count}</dd>
      <dt>Resolution</dt><dd>${hex.resolution}</dd>
      <dt>First seen</dt><dd>${fmtTime(hex.first_seen_at)}</dd>
      <dt>Last seen</dt><dd>${fmtTime(hex.last_seen_at)}</dd>
    </dl>
    <h3>Hotspots that heard it</h3>
    <table><thead><tr><th>Hotspot</th><th>RSSI</th><th>SNR</th><th>Dist.</th><th>Last</th></tr></thead><tbody>
    ${hotspots
      .map(
        (h) => `<tr><td><a href="#" data-hotspot="${esc(h.address)}">${esc(h.name ?? h.address.slice(0, 10) + '…')}</a></td>
        <td>${h.best_rssi_dbm.toFixed(1)}</td><td>${h.best_snr_db.toFixed(1)}</td>
        <td>${h.distance_m === null ? '—' : (h.distance_m / 1000).toFixed(1) + ' km'}</td><td>${esc(fmtTime(h.last_seen_at).split(' (')[1]?.replace(')', '') ?? '')}</td></tr>`,
      )
      .join('')}
    </tbody></table>`;
}

export interface HotspotDetail {
  address: string;
  name: string;
  lat: number | null;
  lng: number | null;
  location_h3: string | null;
  region: string | null;
  status: string;
  owner: string | null;
  maker: string | null;
  gain_dbi: number;
  elevation_m: number;
  onboarded_at: string;
  last_beacon_at: string | null;
  last_witness_at: string | null;
  recent_beacons: { hash: string; received_at: string; status: string; reason: string | null; witnesses: number; datarate: string }[];
  recent_witnesses: { hash: string; received_at: string; status: string; reason: string | null; signal_dbm: number; snr_db: number; beaconer: string | null; distance_m: number | null }[];
  rewards: { epoch: number; end_at: string; epoch_status: string; beacon_shares: number; witness_shares: number; amount: string; cumulative: string }[];
  trust_score: number;
  radio_model: Record<'witness' | 'mapper', FittedModel | null>;
  trust_evidence: { trust_score: number; summary: string[]; reasons: { kind: string; message: string }[] };
}

/** The API's hotspot_radio_fits view (mapper/src/db/hotspot-evidence.ts). */
interface FittedModel {
  links: number;
  exponent: number;
  exponent_sd: number;
  path_loss_1km_db: number;
  shadowing_sd_db: number;
  mostly_prior: boolean;
  summary: string;
}

function trustSection(h: HotspotDetail): string {
  const e = h.trust_evidence;
  return `
    <h3>Trust ${(e.trust_score * 100).toFixed(0)} %</h3>
    <ul class="trust-evidence">${e.summary.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>
    ${e.reasons.length > 0 ? `<p><small>Reasons: ${e.reasons.map((r) => `<code>${esc(r.kind)}</code>`).join(' ')}</small></p>` : ''}`;
}

function radioModelSection(h: HotspotDetail): string {
  const row = (label: string, m: FittedModel | null) =>
    m
      ? `<tr><td>${label}</td><td>${m.links}</td><td>${m.exponent.toFixed(2)} ± ${m.exponent_sd.toFixed(2)}</td><td>${m.shadowing_sd_db.toFixed(1)} dB</td><td>${m.mostly_prior ? 'mostly regional prior' : 'own links'}</td></tr>`
      : `<tr><td>${label}</td><td>0</td><td colspan="3">regional model only</td></tr>`;
  const own = h.radio_model.witness ?? h.radio_model.mapper;
  return `
    <h3>Radio model</h3>
    <table class="radio-model"><thead><tr><th>From</th><th>Links</th><th>Exponent</th><th>Shadowing</th><th>Fit</th></tr></thead><tbody>
      ${row('Witness links', h.radio_model.witness)}${row('Mapper receipts', h.radio_model.mapper)}
    </tbody></table>
    ${own ? `<p><small>${esc(own.summary)}</small></p>` : ''}`;
}

const tokens = (base: string) => (Number(base) / 1e6).toLocaleString('en-US', { maximumFractionDigits: 6 });

export function hotspotPanel(h: HotspotDetail): string {
  return `
    <h2>${esc(h.name)}</h2>
    <dl>
      <dt>Status</dt><dd><span class="badge ${esc(h.status)}">${esc(h.status)}</span></dd>
      <dt>Key</dt><dd>${esc(h.address)}</dd>
      <dt>Location</dt><dd>${h.lat === null ? 'not asserted' : `${h.lat.toFixed(5)}, ${h.lng!.toFixed(5)}`}${h.location_h3 ? ` <small>(${esc(h.location_h3)})</small>` : ''}</dd>
      <dt>Region</dt><dd>${esc(h.region ?? '—')}</dd>
      <dt>Antenna</dt><dd>${h.gain_dbi.toFixed(1)} dBi, ${h.elevation_m} m</dd>
      <dt>Owner</dt><dd>${esc(h.owner ?? '—')}</dd>
      <dt>Maker</dt><dd>${esc(h.maker ?? '—')}</dd>
      <dt>Onboarded</dt><dd>${fmtTime(h.onboarded_at)}</dd>
      <dt>Last beacon</dt><dd>${fmtTime(h.last_beacon_at)}</dd>
      <dt>Last witness</dt><dd>${fmtTime(h.last_witness_at)}</dd>
    </dl>
    ${trustSection(h)}
    ${radioModelSection(h)}
    <h3>Rewards per epoch</h3>
    ${h.rewards.length === 0 ? '<p>No rewards yet.</p>' : `<table><thead><tr><th>Epoch</th><th>Beacon</th><th>Witness</th><th>Amount</th><th>Total</th><th></th></tr></thead><tbody>
      ${h.rewards.map((r) => `<tr><td>${r.epoch}</td><td>${r.beacon_shares.toFixed(2)}</td><td>${r.witness_shares.toFixed(2)}</td><td>${tokens(r.amount)}</td><td>${tokens(r.cumulative)}</td><td>${esc(r.epoch_status)}</td></tr>`).join('')}
    </tbody></table>`}
    <h3>Recent beacons</h3>
    ${h.recent_beacons.length === 0 ? '<p>None in this time range.</p>' : `<table><thead><tr><th>When</th><th>Status</th><th>Witn.</th></tr></thead><tbody>
      ${h.recent_beacons.map((b) => `<tr><td>${esc(fmtTime(b.received_at))}</td><td><span class="badge ${esc(b.status)}">${esc(b.status)}</span>${b.reason ? `<br><small>${esc(b.reason)}</small>` : ''}</td><td>${b.witnesses}</td></tr>`).join('')}
    </tbody></table>`}
    <h3>Recent witnesses</h3>
    ${h.recent_witnesses.length === 0 ? '<p>None in this time range.</p>' : `<table><thead><tr><th>When</th><th>Status</th><th>RSSI/SNR</th><th>Beaconer</th></tr></thead><tbody>
      ${h.recent_witnesses.map((w) => `<tr><td>${esc(fmtTime(w.received_at))}</td><td><span class="badge ${esc(w.status)}">${esc(w.status)}</span>${w.reason ? `<br><small>${esc(w.reason)}</small>` : ''}</td><td>${w.signal_dbm.toFixed(1)} / ${w.snr_db.toFixed(1)}</td><td>${w.beaconer ? `<a href="#" data-hotspot="${esc(w.beaconer)}">${esc(w.beaconer.slice(0, 8))}…</a>` : '—'}${w.distance_m !== null ? `<br><small>${(w.distance_m / 1000).toFixed(1)} km</small>` : ''}</td></tr>`).join('')}
    </tbody></table>`}`;
}
