import { cellToBoundary, cellToLatLng, latLngToCell } from 'h3-js';
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { $, ApiError, esc, getJson, postJson } from '../api';
import { offlineStyle } from '../map/basemap';
import { DEFAULT_BRIDGE_URL, requestPossessionSignature } from './bridge';
import { BrowserWallet, onWalletsChanged, registeredWallets, safeIcon, unusableReason, waitForWallet, type Wallet, type WalletChange } from './browser-wallet';
import { fromB64, loadOrCreateDemoWallet, toB64, WalletError, type OwnerWallet } from './wallet';

interface Config {
  cluster: string;
  /** Wallet Standard chain id (solana:localnet, solana:devnet…); null for a cluster without one. */
  wallet_chain: string | null;
  program_id: string;
  makers: { name: string; authority: string }[];
  fees: { onboarding_fee_lamports: string; location_fee_lamports: string };
  airdrop_sol: number;
  /** Suggested address of the owner's bridge API (npm start's own hotspot); the browser calls it, never the server. */
  bridge_url: string | null;
}
interface Preflight {
  hotspot: string;
  fees: { items: { item: string; lamports: string }[]; total_lamports: string; payer: string; onboarding_fee_lamports: string };
  balance_lamports: string;
}

/** Test hook: where the flow is. */
const hook = {
  step: 'wallet',
  lastError: null as string | null,
  txSignature: null as string | null,
  hotspot: null as string | null,
  cell: null as string | null,
  /** The region the server placed the pin in ('' while it answers; null: none). */
  region: null as string | null,
  wallet: null as { kind: string; name: string; address: string } | null,
};
(window as unknown as { __pocOnboard: typeof hook }).__pocOnboard = hook;

/** What to do next, per error code: the user always gets a specific cause and a way forward. */
const NEXT_STEP: Record<string, string> = {
  insufficient_funds: 'Add SOL to this wallet (or use "Get demo SOL" on a test network), then check again.',
  unknown_maker: 'This hotspot’s maker is not approved here. Contact your manufacturer.',
  not_maker_device: 'Check the key against the hotspot’s label and the maker chosen above; a hotspot can only be onboarded through the app of the maker that built it. If you bought it from this maker, contact them with the key.',
  device_revoked: 'Contact the maker: they withdrew this hotspot (for example a stolen shipment or a recall).',
  already_onboarded: 'Nothing to do: it is already on the network. Open it on the map.',
  wrong_network: 'The app is pointed at a chain without this network. Check the network shown at the top.',
  wrong_hotspot: 'The bridge at this address holds another hotspot than the key you entered. Check the key on the label and the bridge address; the pairing code stays valid.',
  bridge_unreachable: 'Make sure the hotspot is powered, this phone or computer is on its network, and the address is right.',
  invalid_bridge_url: 'Type the bridge address shown by the hotspot, e.g. http://192.168.1.20:4468.',
  invalid_pairing_code: 'On the hotspot, run "poc-bridge pair" and type the new code it prints. A code works once, for 10 minutes; a few wrong tries void it.',
  bad_possession_signature: 'Ask the hotspot to sign again with a new pairing code.',
  invalid_hotspot_key: 'Type the key exactly as printed on the hotspot label, or scan its QR code.',
  chain_unreachable: 'The chain RPC is down or unreachable. Try again in a minute.',
  transaction_expired: 'Press the button again to prepare a fresh transaction.',
  invalid_owner_signature: 'The wallet that signed is not the one shown in step 1. Reload the page.',
  nothing_to_claim: 'Rewards become claimable after the next epoch is confirmed on chain.',
  stale_rewards_proof: 'A new reward epoch is reaching the chain right now. Press Claim again in a minute.',
  fee_changed: 'The network’s onboarding fee changed after you reviewed it, so nothing was charged. Check the fees again and confirm the new total.',
  not_hotspot_owner: 'This hotspot belongs to another wallet.',
  no_wallet: 'Choose a wallet in step 1.',
  wallet_rejected: 'Nothing was signed or sent. Try again when you are ready and approve in the wallet, or choose another wallet.',
  wallet_not_found: 'Install or enable a Solana wallet that supports the Wallet Standard (Phantom, Solflare, Backpack…), open this page in its in-app browser, or use the demo wallet.',
  wallet_unsupported: 'Choose another wallet, or the demo wallet.',
  wallet_wrong_chain: 'Switch the wallet to this network (in its settings: network / developer mode), then connect again — or use the demo wallet.',
  wallet_no_account: 'Open the wallet, unlock it or add an account, then connect again.',
  wallet_unauthorized: 'Connect the wallet again and approve this site.',
  wallet_locked: 'Unlock the wallet, then try again.',
  wallet_disconnected: 'Connect a wallet again to go on.',
  wallet_modified_transaction: 'Turn off the wallet’s own changes to transactions (priority fees, “optimise” or similar) and sign again, or use another wallet.',
  wallet_did_not_sign: 'Select the account shown in step 1 in the wallet, then sign again.',
  wallet_bad_signature: 'Try again; if it persists, use another wallet.',
  wallet_bad_transaction: 'Try again; if it persists, use another wallet.',
  wallet_error: 'Try again, or choose another wallet.',
};

function nextStep(code: string): string | undefined {
  if (code === 'invalid_owner_signature' && wallet?.kind === 'browser') {
    return `${wallet.name}'s signature does not cover the transaction the maker signed: the wallet most likely modified it (priority fee or extra instruction). Turn that off in the wallet and sign again, or use another wallet.`;
  }
  return NEXT_STEP[code];
}

function showError(el: HTMLElement, error: unknown) {
  const e = error as Error;
  const code = error instanceof ApiError || error instanceof WalletError ? error.code : 'client_error';
  hook.lastError = code;
  el.className = 'msg error';
  const next = nextStep(code);
  el.innerHTML = `<strong>${esc(e.message)}</strong>${next ? `<br>${esc(next)}` : ''}<br><code>${esc(code)}</code>`;
}
function showOk(el: HTMLElement, html: string) {
  el.className = 'msg ok';
  el.innerHTML = html;
}
const sol = (lamports: string | bigint) => `${(Number(lamports) / 1e9).toFixed(6)} SOL`;
const enable = (id: string, on: boolean) => $(id).setAttribute('aria-disabled', on ? 'false' : 'true');

let wallet: OwnerWallet | null = null;
let config: Config;
let preflight: Preflight | null = null;
let possessionSignature: string | null = null;
let pin: { lat: number; lng: number; h3: string; region: string | null } | null = null;

function requireWallet(): OwnerWallet {
  if (!wallet) throw new WalletError('no_wallet', 'No wallet is connected.');
  return wallet;
}

async function refreshBalance() {
  if (!wallet) return;
  const address = wallet.address;
  const b: { balance_lamports: string } = await getJson(`/api/v1/onboarding/balance?owner=${address}`);
  if (wallet?.address === address) $('wallet-balance').textContent = sol(b.balance_lamports);
}

// ---- wallet: the demo keypair or a browser wallet (Wallet Standard)
const CHOICE_KEY = 'poc-wallet-choice-v1';
const DEMO = 'demo';
/** The wallets listed in step 1, by button index. */
let listed: Wallet[] = [];

function renderWalletChoices() {
  const all = registeredWallets();
  listed = [...all];
  const usable = all.filter((w) => !unusableReason(w));
  const button = (w: Wallet, i: number) => {
    const reason = unusableReason(w);
    const icon = safeIcon(w.icon);
    const active = wallet?.kind === 'browser' && (wallet as BrowserWallet).wallet === w;
    return `<button class="choice secondary" data-wallet-index="${i}" aria-pressed="${active}"${reason ? ` disabled title="${esc(reason)}"` : ''}>${icon ? `<img src="${esc(icon)}" alt="">` : ''}${esc(w.name)}${reason ? ` <small>(${esc(reason)})</small>` : ''}</button>`;
  };
  $('wallet-choices').innerHTML =
    listed.map(button).join('') +
    `<button class="choice secondary" data-wallet-index="${DEMO}" aria-pressed="${wallet?.kind === 'demo'}">Demo wallet <small>(kept in this browser)</small></button>`;
  $('no-browser-wallet').hidden = usable.length > 0;
}

function showWallet() {
  hook.wallet = wallet && { kind: wallet.kind, name: wallet.name, address: wallet.address };
  $('wallet-name').textContent = wallet?.name ?? 'none connected — choose one above';
  $('wallet-address').textContent = wallet?.address ?? '—';
  if (!wallet) $('wallet-balance').textContent = '—';
  $('wallet-reset').hidden = wallet?.kind !== 'demo';
  $('wallet-disconnect').hidden = wallet?.kind !== 'browser';
  renderWalletChoices();
}

/** A new owner invalidates what was checked and signed for the old one. */
async function setWallet(next: OwnerWallet | null) {
  const previous = wallet;
  wallet = next;
  if (previous instanceof BrowserWallet && previous !== next) {
    // Another wallet: let the old one forget this site. The same wallet again (a new connection): just stop listening.
    if (next instanceof BrowserWallet && next.wallet === previous.wallet) previous.stopWatching();
    else void previous.disconnect();
  }
  showWallet();
  resetAfterHotspotChange();
  if (next) await refreshBalance().catch((e) => showError($('wallet-msg'), e));
}

function onWalletChange(change: WalletChange) {
  const msg = $('wallet-msg');
  if (change.type === 'account') {
    showWallet();
    resetAfterHotspotChange();
    showOk(msg, `${esc(wallet!.name)} switched to account <code>${esc(change.address)}</code>; it is the owner now, so check the hotspot again.`);
    void refreshBalance().catch((e) => showError(msg, e));
  } else if (change.type === 'disconnected') {
    wallet = null;
    localStorage.setItem(CHOICE_KEY, '');
    showWallet();
    resetAfterHotspotChange();
    showError(msg, change.error);
  } else {
    showError(msg, change.error);
  }
}

async function chooseDemo(forceNew = false) {
  const msg = $('wallet-msg');
  msg.className = 'msg';
  msg.textContent = '';
  const demo = await loadOrCreateDemoWallet(forceNew);
  localStorage.setItem(CHOICE_KEY, DEMO);
  await setWallet(demo);
}

async function chooseBrowserWallet(w: Wallet) {
  const msg = $('wallet-msg');
  msg.className = 'msg';
  msg.textContent = `Approve the connection in ${w.name}…`;
  try {
    const connected = await BrowserWallet.connect(w, config.wallet_chain, { onChange: onWalletChange });
    // Saved before setWallet reads the balance: a reload meanwhile must remember this wallet.
    localStorage.setItem(CHOICE_KEY, w.name);
    await setWallet(connected);
    showOk(msg, `Connected to ${esc(w.name)}.`);
  } catch (error) {
    showError(msg, error);
  }
}

/** On load: the wallet chosen last time (a browser wallet reconnects silently), else the demo wallet. */
async function restoreWallet() {
  const choice = localStorage.getItem(CHOICE_KEY);
  if (choice === null || choice === DEMO) return chooseDemo();
  if (choice === '') return setWallet(null);
  // Extensions may register a moment after the page; wait a little for the one used last time.
  const w = await waitForWallet(choice, 1_500);
  if (!w) {
    await setWallet(null);
    showError($('wallet-msg'), new WalletError('wallet_not_found', `${choice}, the wallet you used last time, is not in this browser now.`));
    return;
  }
  try {
    const connected = await BrowserWallet.connect(w, config.wallet_chain, { silent: true, onChange: onWalletChange });
    await setWallet(connected);
    if (!connected) showOk($('wallet-msg'), `Press ${esc(w.name)} to connect it again.`);
  } catch (error) {
    await setWallet(null);
    showError($('wallet-msg'), error);
  }
}

$('wallet-choices').addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest('button[data-wallet-index]');
  if (!button || (button as HTMLButtonElement).disabled) return;
  const index = button.getAttribute('data-wallet-index')!;
  if (index === DEMO) {
    if (wallet?.kind !== 'demo') void chooseDemo().catch((error) => showError($('wallet-msg'), error));
    return;
  }
  const w = listed[Number(index)];
  if (w && !(wallet instanceof BrowserWallet && wallet.wallet === w)) void chooseBrowserWallet(w);
});
$('wallet-disconnect').addEventListener('click', async () => {
  const name = wallet?.name;
  await setWallet(null);
  localStorage.setItem(CHOICE_KEY, '');
  showOk($('wallet-msg'), `Disconnected from ${esc(name ?? 'the wallet')}.`);
});

function parties() {
  return { owner: requireWallet().address, hotspot: $<HTMLInputElement>('hotspot-key').value.trim(), maker: $<HTMLSelectElement>('maker').value };
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
    const { owner, maker } = parties();
    possessionSignature = await requestPossessionSignature($<HTMLInputElement>('bridge-url').value, {
      owner,
      maker,
      programId: config.program_id,
      hotspot: preflight!.hotspot,
      code: $<HTMLInputElement>('pairing-code').value,
    });
    $<HTMLInputElement>('pairing-code').value = '';
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
  pin = { lat, lng, h3, region: null };
  if (pinMap.getZoom() < 17) pinMap.easeTo({ center: [lng, lat], zoom: 17.5, duration: 300 });
  hook.cell = h3;
  $('cell').textContent = h3;
  void (pinMap.getSource('pin') as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'Feature', geometry: { type: 'Point', coordinates: [lng, lat] }, properties: {} });
  void (pinMap.getSource('cell') as maplibregl.GeoJSONSource | undefined)?.setData({ type: 'Feature', geometry: { type: 'Polygon', coordinates: [cellToBoundary(h3, true)] }, properties: {} });
  $('warnings').innerHTML = '';
  hook.region = '';
  $('region').textContent = '…';
  try {
    const r: { region: string | null; country: string | null; warnings: { code: string; message: string }[] } = await postJson(
      '/api/v1/onboarding/location-check',
      { lat, lng, hotspot: preflight?.hotspot },
    );
    if (pin?.h3 !== h3) return; // a later pin superseded this answer
    pin.region = r.region;
    hook.region = r.region;
    $('region').textContent = regionText(r.region, r.country);
    $('warnings').innerHTML = r.warnings.map((w) => `<li data-code="${esc(w.code)}">${esc(w.message)}</li>`).join('');
  } catch (error) {
    $('region').textContent = '—';
    $('warnings').innerHTML = `<li>${esc((error as Error).message)}</li>`;
  }
  updateSubmit();
}

/** E.g. "AS923_2 (VN)": the plan sets the hotspot's channels, beacon datarate and power limit. */
function regionText(region: string | null, country: string | null): string {
  if (!region) return country ? `none (no plan served in ${country})` : 'none (at sea)';
  return country ? `${region} (${country})` : region;
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
  const ready = Boolean(wallet && preflight && possessionSignature && pin);
  $<HTMLButtonElement>('submit').disabled = !ready;
  enable('step-submit', ready);
  if (ready) {
    hook.step = 'submit';
    $('review').innerHTML = `<dl><dt>Hotspot</dt><dd>${esc(preflight!.hotspot)}</dd><dt>Owner</dt><dd>${esc(wallet!.address)} (${esc(wallet!.name)})</dd>
      <dt>Cell</dt><dd>${esc(pin!.h3)} (${pin!.lat.toFixed(6)}, ${pin!.lng.toFixed(6)})</dd>
      <dt>LoRaWAN region</dt><dd id="review-region">${esc(pin!.region ?? 'none')}</dd>
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
    const owner = requireWallet();
    const prepared: { transaction: string; message: string } = await postJson('/api/v1/onboarding/transaction', {
      ...parties(),
      signature: possessionSignature,
      h3: pin!.h3,
      gain_dbi: Number($<HTMLInputElement>('gain').value),
      elevation_m: Math.round(Number($<HTMLInputElement>('elevation').value)),
      // The fee reviewed in the preflight is the most this wallet agrees to pay; the chain refuses more.
      max_fee_lamports: preflight!.fees.onboarding_fee_lamports,
    });
    msg.textContent = owner.kind === 'browser' ? `Approve the transaction in ${owner.name}…` : 'Signing with your wallet…';
    const ownerSignature = await owner.signOnboarding({ transaction: fromB64(prepared.transaction), message: fromB64(prepared.message) });
    msg.textContent = 'Sending to the network…';
    const sent: { signature: string } = await postJson('/api/v1/onboarding/submit', { owner: owner.address, transaction: prepared.transaction, owner_signature: toB64(ownerSignature) });
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
  $<HTMLInputElement>('bridge-url').value = config.bridge_url ?? DEFAULT_BRIDGE_URL;
  onWalletsChanged(renderWalletChoices);
  showWallet();
  await restoreWallet().catch((e) => showError($('wallet-msg'), e));
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
    const r: Rewards = await getJson(`/api/v1/onboarding/rewards?owner=${requireWallet().address}`);
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
  msg.textContent = 'Preparing the claim…';
  try {
    // The owner signs and pays the claim (its fee, and the token account's rent the first time).
    const owner = requireWallet();
    const prepared: { transaction: string; message: string; epoch: number; claimable: string } = await postJson('/api/v1/onboarding/claim', { owner: owner.address, hotspot });
    msg.textContent = owner.kind === 'browser' ? `Approve the claim in ${owner.name}…` : 'Signing with your wallet…';
    const ownerSignature = await owner.signOnboarding({ transaction: fromB64(prepared.transaction), message: fromB64(prepared.message) });
    msg.textContent = 'Sending to the network…';
    await postJson('/api/v1/onboarding/claim/submit', { owner: owner.address, transaction: prepared.transaction, owner_signature: toB64(ownerSignature) });
    showOk(msg, `Claimed ${tokens(prepared.claimable)} tokens (chain epoch ${prepared.epoch}).`);
    void refreshBalance();
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
    await postJson('/api/v1/onboarding/airdrop', { owner: requireWallet().address });
    await refreshBalance();
    showOk(msg, `Received ${config.airdrop_sol} SOL.`);
  } catch (error) {
    showError(msg, error);
  }
});
$('wallet-reset').addEventListener('click', () => void chooseDemo(true).catch((error) => showError($('wallet-msg'), error)));
$('preflight').addEventListener('click', () => void runPreflight());
$('hotspot-key').addEventListener('input', resetAfterHotspotChange);
$('possession').addEventListener('click', () => void runPossession());
$('submit').addEventListener('click', () => void runSubmit());
void main();
