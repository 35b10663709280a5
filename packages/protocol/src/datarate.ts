/** LoRa datarates in the order of Helium's `data_rate` proto enum (SF12BW125 = 0). */
export const DATARATES = [
  'SF12BW125', 'SF11BW125', 'SF10BW125', 'SF9BW125', 'SF8BW125', 'SF7BW125',
  'SF12BW250', 'SF11BW250', 'SF10BW250', 'SF9BW250', 'SF8BW250', 'SF7BW250',
  'SF12BW500', 'SF11BW500', 'SF10BW500', 'SF9BW500', 'SF8BW500', 'SF7BW500',
  'LRFHSS1BW137', 'LRFHSS2BW137', 'LRFHSS1BW336', 'LRFHSS2BW336', 'LRFHSS1BW1523', 'LRFHSS2BW1523',
  'FSK50',
] as const;

export type Datarate = (typeof DATARATES)[number];

export function datarateToEnum(datarate: Datarate): number {
  return DATARATES.indexOf(datarate);
}

export function parseLoraDatarate(datarate: Datarate): { spreadingFactor: number; bandwidthKhz: number } | null {
  const match = /^SF(\d+)BW(\d+)$/.exec(datarate);
  return match ? { spreadingFactor: Number(match[1]), bandwidthKhz: Number(match[2]) } : null;
}
