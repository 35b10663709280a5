import { H3HexagonLayer } from '@deck.gl/geo-layers';
import { esc, getJson } from '../api';

/** /api/v1/mapper-hexes: cells a heard mapper frame covers, and cells of measured no-signal (no covered measurement). */
export interface MapperHexes {
  mapper: { h3: string; frames: number }[];
  no_signal: { h3: string; count: number; last_at: string }[];
}

/** /api/v1/hexes/:h3/mapper: the hex page's mapper measurements. */
export interface HexMapperMeasurements {
  frames: { device_id: number; received_at: string; status: string; reason: string | null; heard_by: { hotspot: string; name: string | null; rssi_dbm: number; snr_db: number }[] }[];
  no_signal: { device_id: number; counter: number; sent_at: string }[];
  note?: string;
}

/** Measured no-signal: a red-magenta no coverage colour appears elsewhere on the map. */
export const NO_SIGNAL_COLOR: [number, number, number] = [214, 39, 140];
/** Outline of cells measured by a mapper device (the fill keeps the signal colour). */
export const MAPPER_OUTLINE_COLOR: [number, number, number] = [255, 255, 255];

export function loadMapperHexes(bbox: string, res: number, signal: AbortSignal): Promise<MapperHexes> {
  return getJson(`/api/v1/mapper-hexes?bbox=${bbox}&res=${res}`, { signal });
}

/** Layers: no-signal cells (filled, below the coverage layer) and the mapper outlines (drawn above it). */
export function mapperLayers(data: MapperHexes, onClick: (h3: string) => void) {
  return {
    noSignal: new H3HexagonLayer<MapperHexes['no_signal'][number]>({
      id: 'measured-no-signal',
      data: data.no_signal,
      getHexagon: (d) => d.h3,
      getFillColor: [...NO_SIGNAL_COLOR, 190],
      stroked: false,
      filled: true,
      extruded: false,
      pickable: true,
      highPrecision: 'auto',
      onClick: ({ object }) => {
        if (object) onClick(object.h3);
        return true;
      },
    }),
    mapperOutline: new H3HexagonLayer<MapperHexes['mapper'][number]>({
      id: 'measured-by-mapper',
      data: data.mapper,
      getHexagon: (d) => d.h3,
      getLineColor: [...MAPPER_OUTLINE_COLOR, 230],
      getLineWidth: 2,
      lineWidthUnits: 'pixels',
      stroked: true,
      filled: false,
      extruded: false,
      pickable: false,
      highPrecision: 'auto',
    }),
  };
}

const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The hex page's mapper section: frames heard here and the hotspots that heard each, and unheard logged frames. */
export function mapperPanel(m: HexMapperMeasurements): string {
  if (m.note) return `<h3>Mapper measurements</h3><p>${esc(m.note)}</p>`;
  if (m.frames.length === 0 && m.no_signal.length === 0) return '<h3>Mapper measurements</h3><p>None in this hex.</p>';
  const frames = m.frames
    .map(
      (f) => `<tr><td>${f.device_id}</td><td>${esc(time(f.received_at))}</td><td>${f.status === 'plausible' ? 'heard' : esc(`${f.status}: ${f.reason ?? ''}`)}</td>
        <td>${f.heard_by.map((h) => `<a href="#" data-hotspot="${esc(h.hotspot)}">${esc(h.name ?? h.hotspot.slice(0, 10) + '…')}</a> ${h.rssi_dbm.toFixed(1)} dBm`).join('<br>') || '—'}</td></tr>`,
    )
    .join('');
  const unheard = m.no_signal.map((u) => `<tr><td>${u.device_id}</td><td>${esc(time(u.sent_at))}</td><td>no signal</td><td>no hotspot heard frame ${u.counter}</td></tr>`).join('');
  return `<h3 id="mapper-measurements">Mapper measurements</h3>
    <table><thead><tr><th>Device</th><th>Time</th><th>Result</th><th>Heard by</th></tr></thead><tbody>${frames}${unheard}</tbody></table>`;
}
