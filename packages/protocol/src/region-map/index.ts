export { COUNTRY_REGION } from './country-plans';
export { OFFSHORE_TOLERANCE_M, RegionMap, regionForCell, regionForLatLng, regionMap, type RegionAnswer } from './region-map';
