import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { $, ApiError, esc, getJson, postJson } from '../api';
import { offlineStyle } from '../map/basemap';
import { fromB64, loadOrCreateWallet, toB64, type Wallet } from './wallet';

interface Config {
  cluster: string;
  program_id: string;
  makers: { name: string; authority: string }[];
  fees: { onboarding_fee_lamports: string; location_fee_lamports: string };
  airdrop_sol: number;
  bridge_configured: boolean;
}
interface Preflight {
  hotspot: string;
  fees: { items: { item: string; lamports: string }[]; total_lamports: string; payer: string };
  balance_lamports: string;
}

/** Test hook: where the flow is. */
const hook = { step: 'wallet', lastError: null as string | null, txSignature: null as string | null, hotspot: null as string | null, cell: null as string | null };
(window as unknown as { __pocOnboard: typeof hook }).__pocOnboard = hook;

/** What to do next, per error code: the user always gets a specific cause and a way forward. */
const NEXT_STEP: Record<string, string> = {
  insufficient_funds: 'Add SOL to this wallet (or use "Get demo SOL" on a test network), then check again.',
  unknown_maker: 'This hotspot’s maker is not approved here. Contact your manufacturer.',
  already_onboarded: 'Nothing to do: it is already on the network. Open it on the map.',
  wrong_network: 'The app is pointed at a chain without this network. Check the network shown at the top.',
  wrong_hotspot: 'Another hotspot answered. Connect to the hotspot whose key you entered (power-cycle others nearby).',
  bridge_unreachable: 'Make sure the hotspot is powered and on the same network as this server.',
  invalid_hotspot_key: 'Type the key exactly as printed on the hotspot label, or scan its QR code.',
  chain_unreachable: 'The chain RPC is down or unreachable. Try again in a minute.',
  transaction_expired: 'Press the button again to prepare a fresh transaction.',
  invalid_owner_signature: 'The wallet that signed is not the one shown in step 1. Reload the page.',
  nothing_to_claim: 'Rewards become claimable after the next epoch is confirmed on chain.',
  not_hotspot_owner: 'This hotspot belongs to another wallet.',
};

function showError(el: HTMLElement, error: unknown) {
  const e = error as Error;
  const code = error instanceof ApiError ? error.code : 'client_error';
  hook.lastError = code;
  el.className = 'msg error';
  el.innerHTML = `<strong>${esc(e.message)}</strong>${NEXT_STEP[code] ? `<br>${esc(NEXT_STEP[code])}` : ''}<br><code>${esc(code)}</code>`;
}
function showOk(el: HTMLElement, html: string) {
  el.className = 'msg ok';
  el.innerHTML = html;
}
const sol = (lamports: string | bigint) => `${(Number(lamports) / 1e9).toFixed(6)} SOL`;
const enable = (id: string, on: boolean) => $(id).setAttribute('aria-disabled', on ? 'false' : 'true');

let wallet: Wallet;
let config: Config;
let preflight: Preflight | null = null;
let possessionSignature: string | null = null;
let pin: { lat: number; lng: number; h3: string } | null = null;

async function refreshBalance() {
  const b: { balance_lamports: string } = await getJson(`/api/v1/onboarding/balance?owner=${wallet.address}`);
  $('wallet-balance').textContent = sol(b.balance_lamports);
}

async function initWallet(forceNew = false) {
  wallet = await loadOrCreateWallet(forceNew);
  $('wallet-address').textContent = wallet.address;
  await refreshBalance().catch((e) => showError($('wallet-msg'), e));
}

function parties() {
  return { owner: wallet.address, hotspot: $<HTMLInputElement>('hotspot-key').value.trim(), maker: $<HTMLSelectElement>('maker').value };
}

function resetAfterHotspotChange() {
  preflight = null;
  possessionSignature = null;
  $<HTMLButtonElement>('possession').disabled = true;
  enable('step-possession', false);
  updateSubmit();
}

async function runPreflight() {
  const msg = $('hotspot-msg');
  msg.textContent = 'Checking…';
  msg.className = 'msg';
  resetAfterHotspotChange();
  $('fees').innerHTML = '';
  try {
    preflight = await postJson<Preflight>('/api/v1/onboarding/preflight', parties());
    $('fees').innerHTML = `<table>${preflight.fees.items.map((f) => `<tr><td>${esc(f.item)}</td><td class="num">${sol(f.lamports)}</td></tr>`).join('')}
      <tr class="total"><td>Total, paid by your wallet</td><td class="num">${sol(preflight.fees.total_lamports)}</td></tr>
      <tr><td>Your balance</td><td class="num">${sol(preflight.balance_lamports)}</td></tr></table>`;
    showOk(msg, `Hotspot ${esc(preflight.hotspot.slice(0, 12))}… can be onboarded.`);
    hook.hotspot = preflight.hotspot;
    hook.step = 'possession';
    $<HTMLButtonElement>('possession').disabled = false;
    enable('step-possession', true);
  } catch (error) {
    showError(msg, error);
  }
}

async function runPossession() {
  const msg = $('possession-msg');
  msg.className = 'msg';
  msg.textContent = 'Asking the hotspot…';
  try {
    const r: { signature: string } = await postJson('/api/v1/onboarding/possession', parties());
    possessionSignature = r.signature;
    showOk(msg, 'The hotspot signed: possession proven.');
    hook.step = 'location';
    enable('step-location', true);
    updateSubmit();
  } catch (error) {
    showError(msg, error);
  }
}

// ---- location
const pinMap = new maplibregl.Map({ container: 'pin-map', style: offlineStyle(), center: [0, 20], zoom: 1, attributionControl: false, dragRotate: false });
pinMap.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
pinMap.on('load', () => {
  pinMap.addSource('cell', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  pinMap.addLayer({ id: 'cell-fill', type: 'fill', source: 'cell', paint: { 'fill-color': '#1a9850', 'fill-opacity': 0.5 } });
  pinMap.addLayer({ id: 'cell-line', type: 'line', source: 'cell', paint: { 'line-color': '#ffffff', 'line-width': 2 } });
  pinMap.addSource('pin', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  pinMap.addLayer({ id: 'pin', type: 'circle', source: 'pin', paint: { 'circle-radius': 7, 'circle-color': '#ffd700', 'circle-stroke-color': '#0b1d2a', 'circle-stroke-width': 2 } });
});

async function dropPin(tapLat: number, tapLng: number) {
  // The pin snaps to the centre of the res-12 cell that will be stored, so what you see is what goes on chain.
  const h3 = latLngToCell(tapLat, tapLng, 12);
  const [lat, lng] = cellToLatLng(h3);
  pin = { lat, lng, h3 };
  if (pinMap.getZoom() < 17) pinMap.easeTo({ center: [lng, lat], zoom: 17.5, duration: 300 });
  hook.cell = h3;
  $('cell').textContent = h3;
  (pinMap.getSource('pin') as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'Feature', geometry: { type: 'Point', coordinates: [lng, lat] }, properties: {} });
  (pinMap.getSource('cell') as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [cellToBoundary(h3, true)] }, properties: {} });
  $('warnings').innerHTML = '';
  try {
    const r: { warnings: { code: string; message: string }[] } = await postJson('/api/v1/onboarding/location-check', { lat, lng, hotspot: preflight?.hotspot });
    $('warnings').innerHTML = r.warnings.map((w) => `<li data-code="${esc(w.code)}">${esc(w.message)}</li>`).join('');
  } catch (error) {
    $('warnings').innerHTML = `<li>${esc((error as Error).message)}</li>`;
  }
  updateSubmit();
}

pinMap.on('click', (e) => void dropPin(e.lngLat.lat, e.lngLat.lng));
$('locate').addEventListener('click', () => {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition(
    (p) => {
      pinMap.jumpTo({ center: [p.coords.longitude, p.coords.latitude], zoom: 17 });
      void dropPin(p.coords.latitude, p.coords.longitude);
    },
    (err) => ($('warnings').innerHTML = `<li>Location unavailable: ${esc(err.message)}. Search a place or tap the map.</li>`),
  );
});
let placeTimer: ReturnType<typeof setTimeout> | undefined;
$('place').addEventListener('input', () => {
  clearTimeout(placeTimer);
  placeTimer = setTimeout(async () => {
    const q = $<HTMLInputElement>('place').value.trim();
    const list = $('place-results');
    if (q.length < 2) return void (list.hidden = true);
    const r: { places: { name: string; country: string; lat: number; lng: number }[] } = await getJson(`/api/v1/search?q=${encodeURIComponent(q)}`);
    list.innerHTML = r.places.map((p) => `<li data-lat="${p.lat}" data-lng="${p.lng}">${esc(p.name)}, ${esc(p.country)}</li>`).join('') || '<li>No place found</li>';
    list.hidden = false;
  }, 200);
});
$('place-results').addEventListener('click', (e) => {
  const li = (e.target as HTMLElement).closest('li[data-lat]');
  if (!li) return;
  $('place-results').hidden = true;
  pinMap.jumpTo({ center: [Number(li.getAttribute('data-lng')), Number(li.getAttribute('data-lat'))], zoom: 15 });
});

// ---- review and submit
function updateSubmit() {
  const ready = Boolean(preflight && possessionSignature && pin);
  $<HTMLButtonElement>('submit').disabled = !ready;
  enable('step-submit', ready);
  if (ready) {
    hook.step = 'submit';
    $('review').innerHTML = `<dl><dt>Hotspot</dt><dd>${esc(preflight!.hotspot)}</dd><dt>Owner</dt><dd>${esc(wallet.address)}</dd>
      <dt>Cell</dt><dd>${esc(pin!.h3)} (${pin!.lat.toFixed(6)}, ${pin!.lng.toFixed(6)})</dd>
      <dt>Antenna</dt><dd>${esc($<HTMLInputElement>('gain').value)} dBi, ${esc($<HTMLInputElement>('elevation').value)} m</dd>
      <dt>Total fees</dt><dd>${sol(preflight!.fees.total_lamports)}</dd></dl>`;
  }
}
$('gain').addEventListener('input', updateSubmit);
$('elevation').addEventListener('input', updateSubmit);

async function runSubmit() {
  const msg = $('submit-msg');
  msg.className = 'msg';
  msg.textContent = 'Preparing the transaction…';
  $<HTMLButtonElement>('submit').disabled = true;
  try {
    const prepared: { transaction: string; message: string } = await postJson('/api/v1/onboarding/transaction', {
      ...parties(),
      signature: possessionSignature,
      h3: pin!.h3,
      gain_dbi: Number($<HTMLInputElement>('gain').value),
      elevation_m: Math.round(Number($<HTMLInputElement>('elevation').value)),
    });
    msg.textContent = 'Signing with your wallet and sending…';
    const ownerSignature = await wallet.sign(fromB64(prepared.message));
    const sent: { signature: string } = await postJson('/api/v1/onboarding/submit', { owner: wallet.address, transaction: prepared.transaction, owner_signature: toB64(ownerSignature) });
    hook.txSignature = sent.signature;
    hook.step = 'done';
    showOk(msg, `Confirmed: <code>${esc(sent.signature.slice(0, 20))}…</code>`);
    const done = $('step-done');
    done.hidden = false;
    $('done-text').textContent = `Hotspot ${preflight!.hotspot} is onboarded at cell ${pin!.h3}.`;
    $<HTMLAnchorElement>('map-link').href = `/#lat=${pin!.lat.toFixed(5)}&lng=${pin!.lng.toFixed(5)}&zoom=15&hotspot=${encodeURIComponent(preflight!.hotspot)}`;
    done.scrollIntoView();
    void refreshBalance();
    void waitForRegistry(preflight!.hotspot);
  } catch (error) {
    showError(msg, error);
    $<HTMLButtonElement>('submit').disabled = false;
  }
}

async function waitForRegistry(address: string) {
  for (let i = 0; i < 120; i++) {
    try {
      await getJson(`/api/v1/hotspots/${encodeURIComponent(address)}`);
      $('registry-status').textContent = 'It is on the map now.';
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }
  $('registry-status').textContent = 'The registry has not listed it yet; the map shows it once the oracle syncs the chain.';
}

// ---- QR scanning where the browser can (BarcodeDetector)
const Detector = (window as unknown as { BarcodeDetector?: new (o: { formats: string[] }) => { detect(v: HTMLVideoElement): Promise<{ rawValue: string }[]> } }).BarcodeDetector;
if (Detector && navigator.mediaDevices?.getUserMedia) {
  $('scan').hidden = false;
  $('scan').addEventListener('click', async () => {
    const video = $<HTMLVideoElement>('scan-video');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const detector = new Detector({ formats: ['qr_code'] });
      const tick = async () => {
        const codes = await detector.detect(video).catch(() => []);
        const found = codes[0]?.rawValue;
        if (found) {
          $<HTMLInputElement>('hotspot-key').value = found.replace(/^.*[:/]/, '').trim();
          stream.getTracks().forEach((t) => t.stop());
          video.hidden = true;
          return;
        }
        requestAnimationFrame(() => void tick());
      };
      void tick();
    } catch (error) {
      showError($('hotspot-msg'), new Error(`camera unavailable (${(error as Error).message}); type the key instead`));
    }
  });
}

async function main() {
  try {
    config = await getJson<Config>('/api/v1/onboarding/config');
  } catch (error) {
    showError($('wallet-msg'), error);
    return;
  }
  $('cluster').textContent = `${config.cluster}`;
  $('maker').innerHTML = config.makers.map((m) => `<option value="${esc(m.authority)}">${esc(m.name)} (${esc(m.authority.slice(0, 6))}…)</option>`).join('');
  $('airdrop').hidden = !(config.airdrop_sol > 0);
  await initWallet().catch((e) => showError($('wallet-msg'), e));
  const fromUrl = new URLSearchParams(location.search).get('hotspot');
  if (fromUrl) $<HTMLInputElement>('hotspot-key').value = fromUrl;
  hook.step = 'hotspot';
}

// ---- rewards
interface Rewards {
  epoch: number | null;
  token_balance: string;
  decimals: number;
  hotspots: { hotspot: string; location_h3: string | null; earned: string; claimed: string; claimable: string }[];
}
const tokens = (base: string, decimals = 6) => (Number(base) / 10 ** decimals).toLocaleString('en-US', { maximumFractionDigits: decimals });

async function loadRewards() {
  const msg = $('rewards-msg');
  try {
    const r: Rewards = await getJson(`/api/v1/onboarding/rewards?owner=${wallet.address}`);
    $('rewards').innerHTML = `<dl><dt>Token balance</dt><dd>${tokens(r.token_balance, r.decimals)}</dd><dt>Confirmed epoch</dt><dd>${r.epoch ?? 'none yet'}</dd></dl>
      ${r.hotspots.length === 0 ? '<p>No hotspot is owned by this wallet yet.</p>' : `<table>${r.hotspots.map((h) => `<tr><td><a href="/#hotspot=${encodeURIComponent(h.hotspot)}">${esc(h.hotspot.slice(0, 12))}…</a><br><small>earned ${tokens(h.earned)} · claimed ${tokens(h.claimed)}</small></td>
        <td class="num">${BigInt(h.claimable) > 0n ? `<button data-claim="${esc(h.hotspot)}">Claim ${tokens(h.claimable)}</button>` : 'nothing to claim'}</td></tr>`).join('')}</table>`}
      <button id="rewards-load" class="secondary">Refresh</button>`;
  } catch (error) {
    showError(msg, error);
  }
}
$('rewards').addEventListener('click', async (e) => {
  const target = e.target as HTMLElement;
  if (target.id === 'rewards-load') return void loadRewards();
  const hotspot = target.getAttribute('data-claim');
  if (!hotspot) return;
  const msg = $('rewards-msg');
  msg.className = 'msg';
  msg.textContent = 'Claiming…';
  try {
    const r: { claimed: string; epoch: number } = await postJson('/api/v1/onboarding/claim', { owner: wallet.address, hotspot });
    showOk(msg, `Claimed ${tokens(r.claimed)} tokens (epoch ${r.epoch}).`);
    await loadRewards();
  } catch (error) {
    showError(msg, error);
  }
});

$('airdrop').addEventListener('click', async () => {
  const msg = $('wallet-msg');
  msg.className = 'msg';
  msg.textContent = 'Requesting demo SOL…';
  try {
    await postJson('/api/v1/onboarding/airdrop', { owner: wallet.address });
    await refreshBalance();
    showOk(msg, `Received ${config.airdrop_sol} SOL.`);
  } catch (error) {
    showError(msg, error);
  }
});
$('wallet-reset').addEventListener('click', () => void initWallet(true).then(resetAfterHotspotChange));
$('preflight').addEventListener('click', () => void runPreflight());
$('hotspot-key').addEventListener('input', resetAfterHotspotChange);
$('possession').addEventListener('click', () => void runPossession());
$('submit').addEventListener('click', () => void runSubmit());
void main();
