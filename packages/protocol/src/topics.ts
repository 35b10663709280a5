import type { Region } from './regions';
import type { ReportKind } from './reports';

export const TOPIC_ROOT = 'poc/v1';
/** Retained: the latest signed network entropy. */
export const ENTROPY_TOPIC = `${TOPIC_ROOT}/entropy`;

export const regionSegment = (region: Region) => region.toLowerCase();

export function reportTopic(region: Region, hotspotAddress: string, kind: ReportKind): string {
  return `${TOPIC_ROOT}/${regionSegment(region)}/hotspot/${hotspotAddress}/${kind}`;
}

/** Retained online/offline state of a bridge, also its MQTT Last Will. */
export function stateTopic(region: Region, hotspotAddress: string): string {
  return `${TOPIC_ROOT}/${regionSegment(region)}/hotspot/${hotspotAddress}/state`;
}

/** Filter the oracle subscribes to for one report kind across all regions and hotspots. */
export const reportFilter = (kind: ReportKind) => `${TOPIC_ROOT}/+/hotspot/+/${kind}`;

/** MQTT 5 / mosquitto shared subscription so several oracle workers split the stream. */
export const sharedSubscription = (group: string, filter: string) => `$share/${group}/${filter}`;

/** Where a hotspot publishes its signed receipts of mapper uplinks (SPEC.md §Mapper receipts). */
export function mapperReceiptTopic(region: Region, hotspotAddress: string): string {
  return `${TOPIC_ROOT}/${regionSegment(region)}/hotspot/${hotspotAddress}/${MAPPER_RECEIPT_LEAF}`;
}

export const MAPPER_RECEIPT_LEAF = 'mapper';
export const MAPPER_RECEIPT_FILTER = `${TOPIC_ROOT}/+/hotspot/+/${MAPPER_RECEIPT_LEAF}`;

/** The hotspot a mapper receipt topic names, or null for any other topic. */
export function parseMapperReceiptTopic(topic: string): { region: string; hotspotAddress: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[3] !== 'hotspot' || parts[5] !== MAPPER_RECEIPT_LEAF) return null;
  return { region: parts[2]!, hotspotAddress: parts[4]! };
}

export interface ParsedReportTopic {
  region: string;
  hotspotAddress: string;
  kind: ReportKind;
}

export function parseReportTopic(topic: string): ParsedReportTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[3] !== 'hotspot') return null;
  const kind = parts[5];
  if (kind !== 'beacon' && kind !== 'witness') return null;
  return { region: parts[2]!, hotspotAddress: parts[4]!, kind };
}
