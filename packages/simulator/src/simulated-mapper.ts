import type { KeyObject } from 'node:crypto';
import { encodeMapperFrame, MAPPER_COORDINATE_SCALE, MAPPER_LOG_MAX_ENTRIES, REGION_PARAMS, signMapperLog, type MapperLogEntry } from '@poc/protocol';
import type { RadioMedium } from './medium';
import { positionOnRoute, type MapperRoute } from './mapper-routes';
import { SeededRandom } from './rng';

/** A mapper's uplink datarate: SF9BW125 carries the 22-byte frame in every region plan (SPEC.md §Regions, max payload). */
export const MAPPER_DATARATE = 'SF9BW125';
/** One frame every 30 s, as a typical mapper's uplink interval. */
export const MAPPER_FRAME_INTERVAL_MS = 30_000;

export interface SimulatedMapperOptions {
  deviceId: number;
  deviceKey: Uint8Array;
  route: MapperRoute;
  medium: RadioMedium;
  /** Owner wallet (base58) and its signing key, for log uploads. */
  owner: string;
  ownerKey: KeyObject;
  /** Counter of the first frame (a re-registered device continues above its last). */
  firstCounter?: number;
  /** Where on the route the device starts, ms of travel (spreads devices on one route). */
  routeOffsetMs?: number;
}

export interface SentFrame extends MapperLogEntry {
  lat: number;
  lng: number;
  /** Hotspots the medium delivered it to (0: nobody heard it). */
  heardBy: number;
}

export interface MapperLogUploadResult {
  status: number;
  entries: number;
  body: unknown;
}

/**
 * A field mapper: moves along its route in real time, sends a MIC-authenticated frame with its GNSS fix through the
 * simulated radio medium every interval (14 dBm into a 0 dBi whip), and keeps its own log of frames sent, uploaded
 * to the mapper API signed by the owner so frames nobody heard become measured no-signal (mapper/README.md §Mapper logs).
 */
export class SimulatedMapper {
  private counter: number;
  private startedAtMs: number | null = null;
  private readonly rng: SeededRandom;
  private readonly unuploaded: SentFrame[] = [];
  readonly sent: SentFrame[] = [];

  constructor(private readonly options: SimulatedMapperOptions) {
    this.counter = options.firstCounter ?? 0;
    this.rng = new SeededRandom(`mapper:${options.deviceId}`);
  }

  get deviceId(): number {
    return this.options.deviceId;
  }

  /**
   * Sends one frame at `nowMs` (the device's GNSS time) from where it is on its route: `travelledMs` of travel, by
   * default the time since its first frame.
   */
  sendFrame(nowMs: number, travelledMs?: number): SentFrame {
    this.startedAtMs ??= nowMs;
    const { route, deviceId, deviceKey } = this.options;
    const position = positionOnRoute(route, (travelledMs ?? nowMs - this.startedAtMs) + (this.options.routeOffsetMs ?? 0));
    const counter = this.counter++;
    const frame = encodeMapperFrame(
      {
        deviceId,
        counter,
        latE7: Math.round(position.lat * MAPPER_COORDINATE_SCALE),
        lngE7: Math.round(position.lng * MAPPER_COORDINATE_SCALE),
        hdopDeci: 8 + this.rng.int(10),
        satellites: 7 + this.rng.int(6),
      },
      deviceKey,
    );
    const channels = REGION_PARAMS[route.region].channelFrequencies;
    const heardBy = this.options.medium.transmitFromDevice({
      device: String(deviceId),
      region: route.region,
      lat: position.lat,
      lng: position.lng,
      frame,
      frequencyHz: channels[counter % channels.length]!,
      datr: MAPPER_DATARATE,
    });
    const sent: SentFrame = { counter, sentAtMs: nowMs, frame, lat: position.lat, lng: position.lng, heardBy };
    this.sent.push(sent);
    // A device's memory is bounded: beyond one upload's worth, the oldest unuploaded frames are forgotten.
    this.unuploaded.push(sent);
    if (this.unuploaded.length > MAPPER_LOG_MAX_ENTRIES) this.unuploaded.shift();
    return sent;
  }

  /** Frames sent but not yet uploaded. */
  pendingLog(): readonly SentFrame[] {
    return this.unuploaded;
  }

  /**
   * POSTs the unuploaded frames to `<mapperUrl>/v1/mappers/:deviceId/log`, owner-signed. Frames leave the pending log
   * only when the API accepted them (202); any other answer keeps them for the next try, except a refusal of the
   * entries themselves (422), which would be refused again.
   */
  async uploadLog(mapperUrl: string, nowMs = Date.now()): Promise<MapperLogUploadResult | null> {
    if (this.unuploaded.length === 0) return null;
    const entries = this.unuploaded.slice(0, MAPPER_LOG_MAX_ENTRIES);
    const body = signMapperLog(
      { deviceId: this.options.deviceId, owner: this.options.owner, uploadedAt: Math.floor(nowMs / 1000), entries: entries.map(({ counter, sentAtMs, frame }) => ({ counter, sentAtMs, frame })) },
      this.options.ownerKey,
    );
    const response = await fetch(`${mapperUrl}/v1/mappers/${this.options.deviceId}/log`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const answer: unknown = await response.json().catch(() => null);
    if (response.status === 202 || response.status === 422) this.unuploaded.splice(0, entries.length);
    return { status: response.status, entries: entries.length, body: answer };
  }
}

export interface MapperRunner {
  mappers: SimulatedMapper[];
  stats(): { framesSent: number; framesHeard: number; uploads: number; uploadFailures: number };
  stop(): void;
}

/**
 * Drives a set of simulated mappers in real time: each sends a frame every interval (staggered) and, when a
 * mapper API is given, uploads its log every `uploadIntervalMs`. Upload failures are logged through `onError`, never thrown.
 */
export function runMappers(
  mappers: SimulatedMapper[],
  options: { frameIntervalMs?: number; mapperUrl?: string; uploadIntervalMs?: number; onError?: (error: unknown, mapper: SimulatedMapper) => void },
): MapperRunner {
  const interval = options.frameIntervalMs ?? MAPPER_FRAME_INTERVAL_MS;
  const timers: NodeJS.Timeout[] = [];
  let framesSent = 0;
  let framesHeard = 0;
  let uploads = 0;
  let uploadFailures = 0;
  mappers.forEach((mapper, i) => {
    const tick = () => {
      const sent = mapper.sendFrame(Date.now());
      framesSent++;
      if (sent.heardBy > 0) framesHeard++;
    };
    const first = setTimeout(() => {
      tick();
      const every = setInterval(tick, interval);
      every.unref();
      timers.push(every);
    }, Math.round((interval * i) / Math.max(1, mappers.length)));
    first.unref();
    timers.push(first);
  });
  if (options.mapperUrl) {
    const url = options.mapperUrl;
    let uploading = false;
    const upload = setInterval(() => {
      if (uploading) return;
      uploading = true;
      void (async () => {
        for (const mapper of mappers) {
          try {
            const result = await mapper.uploadLog(url);
            if (result?.status === 202) uploads++;
            else if (result) {
              uploadFailures++;
              options.onError?.(new Error(`log upload answered ${result.status}: ${JSON.stringify(result.body).slice(0, 300)}`), mapper);
            }
          } catch (error) {
            uploadFailures++;
            options.onError?.(error, mapper);
          }
        }
      })().finally(() => {
        uploading = false;
      });
    }, options.uploadIntervalMs ?? 60_000);
    upload.unref();
    timers.push(upload);
  }
  return {
    mappers,
    stats: () => ({ framesSent, framesHeard, uploads, uploadFailures }),
    stop: () => {
      for (const t of timers) clearTimeout(t);
      timers.length = 0;
    },
  };
}
