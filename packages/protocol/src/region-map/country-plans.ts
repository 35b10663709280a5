import type { Region } from '../regions';

/**
 * The channel plan Helium assigned to each country, by ISO 3166-1 alpha-2 code; null where Helium served no plan
 * ("Unknown": a hotspot asserted there is not in any region, so it cannot take part in proof of coverage).
 *
 * Source: the `Region` column of `regions.csv` in dewi-alliance/hplans at commit 0eda304 — the commit helium/lorawan-h3
 * pins to build the region maps iot_config served (hplans README: "based on the LoRa Alliance RP2-1.0.4 LoRaWAN
 * Regional Parameters, as well as the Helium Network's country definitions", helium/miner countries_reg_domains.csv).
 * Where RP002 allows several plans in one country, that column is the one Helium used. Adapted, as SPEC.md §Regions
 * says: Helium's AS923-1B (Malaysia) and AS923-1C (New Zealand) map to AS923_1; Sudan follows the commit's move to
 * Unknown; Antarctica is one entry (null) because the polygons do not split the claims.
 */
export const COUNTRY_REGION: Readonly<Record<string, Region | null>> = {
  AD: 'EU868', // Andorra
  AE: 'EU868', // United Arab Emirates
  AF: null, // Afghanistan
  AG: null, // Antigua and Barbuda
  AI: 'AU915', // Anguilla
  AL: 'EU868', // Albania
  AM: 'EU868', // Armenia
  AO: 'EU868', // Angola
  AR: 'AU915', // Argentina
  AS: 'US915', // American Samoa
  AT: 'EU868', // Austria
  AU: 'AU915', // Australia
  AW: null, // Aruba
  AX: 'EU868', // Aland Islands
  AZ: 'EU433', // Azerbaijan
  BA: 'EU868', // Bosnia and Herzegovina
  BB: 'AU915', // Barbados
  BD: 'AS923_1', // Bangladesh
  BE: 'EU868', // Belgium
  BF: 'EU868', // Burkina Faso
  BG: 'EU868', // Bulgaria
  BH: 'EU868', // Bahrain
  BI: 'EU868', // Burundi
  BJ: 'EU868', // Benin
  BL: 'EU868', // Saint Barthelemy
  BM: 'US915', // Bermuda
  BN: 'AS923_1', // Brunei
  BO: 'AS923_1', // Bolivia
  BQ: null, // Bonaire Sint Eustatius and Saba
  BR: 'AU915', // Brazil
  BS: 'US915', // Bahamas
  BT: 'EU868', // Bhutan
  BV: 'EU868', // Bouvet Island
  BW: 'EU868', // Botswana
  BY: 'EU868', // Belarus
  BZ: 'AU915', // Belize
  CA: 'US915', // Canada
  CC: 'AS923_1', // Cocos [Keeling] Islands
  CD: 'EU868', // Congo [DRC]
  CF: 'EU868', // Central African Republic
  CG: 'EU868', // Congo [Republic]
  CH: 'EU868', // Switzerland
  CI: 'EU868', // Côte d'Ivoire
  CK: 'AS923_1', // Cook Islands
  CL: 'AU915', // Chile
  CM: 'EU868', // Cameroon
  CN: 'CN470', // China
  CO: 'AU915', // Colombia
  CR: 'AS923_1', // Costa Rica
  CU: 'AS923_3', // Cuba
  CV: 'EU868', // Cape Verde
  CW: 'AS923_1', // Curaçao
  CX: 'AS923_1', // Christmas Island
  CY: 'EU868', // Cyprus
  CZ: 'EU868', // Czech Republic
  DE: 'EU868', // Germany
  DJ: 'EU868', // Djibouti
  DK: 'EU868', // Denmark
  DM: 'AU915', // Dominica
  DO: 'AU915', // Dominican Republic
  DZ: 'EU868', // Algeria
  EC: 'AU915', // Ecuador
  EE: 'EU868', // Estonia
  EG: 'EU868', // Egypt
  EH: 'EU868', // Sahrawi Arab Democratic Republic
  ER: 'EU868', // Eritrea
  ES: 'EU868', // Spain
  ET: 'EU868', // Ethiopia
  FI: 'EU868', // Finland
  FJ: null, // Fiji
  FK: 'EU868', // Falkland Islands [Islas Malvinas]
  FM: null, // Micronesia
  FO: 'EU868', // Faroe Islands
  FR: 'EU868', // France
  GA: 'EU868', // Gabon
  GB: 'EU868', // United Kingdom
  GD: 'AU915', // Grenada
  GE: 'EU868', // Georgia
  GF: 'EU868', // French Guiana
  GG: 'EU868', // Guernsey
  GH: 'EU868', // Ghana
  GI: 'EU868', // Gibraltar
  GL: 'EU868', // Greenland
  GM: 'EU868', // Gambia
  GN: 'EU868', // Guinea
  GP: 'EU868', // Guadeloupe
  GQ: 'EU868', // Equatorial Guinea
  GR: 'EU868', // Greece
  GS: 'EU868', // South Georgia and the South Sandwich Islands
  GT: 'AU915', // Guatemala
  GU: 'US915', // Guam
  GW: 'EU868', // Guinea-Bissau
  GY: 'US915', // Guyana
  HK: 'AS923_1', // Hong Kong
  HM: 'AS923_1', // Heard Island and McDonald Islands
  HN: 'AU915', // Honduras
  HR: 'EU868', // Croatia
  HT: null, // Haiti
  HU: 'EU868', // Hungary
  ID: 'AS923_2', // Indonesia
  IE: 'EU868', // Ireland
  IL: 'AS923_4', // Israel
  IM: 'EU868', // Isle of Man
  IN: 'IN865', // India
  IO: null, // British Indian Ocean Territory
  IQ: 'EU868', // Iraq
  IR: 'EU868', // Iran
  IS: 'EU868', // Iceland
  IT: 'EU868', // Italy
  JE: 'EU868', // Jersey
  JM: 'AU915', // Jamaica
  JO: 'IN865', // Jordan
  JP: 'AS923_1', // Japan
  KE: 'EU868', // Kenya
  KG: null, // Kyrgyzstan
  KH: 'AS923_1', // Cambodia
  KI: null, // Kiribati
  KM: 'EU868', // Comoros
  KN: 'AU915', // Saint Kitts and Nevis
  KP: null, // North Korea
  KR: 'KR920', // South Korea
  KW: 'EU868', // Kuwait
  KY: null, // Cayman Islands
  KZ: 'IN865', // Kazakhstan
  LA: 'AS923_1', // Lao Peoples Democratic Republic
  LB: 'EU868', // Lebanon
  LC: 'AU915', // Saint Lucia
  LI: 'EU868', // Liechtenstein
  LK: 'AS923_1', // Sri Lanka
  LR: 'EU868', // Liberia
  LS: 'EU433', // Lesotho
  LT: 'EU868', // Lithuania
  LU: 'EU868', // Luxembourg
  LV: 'EU868', // Latvia
  LY: null, // Libya
  MA: 'EU868', // Morocco
  MC: 'EU868', // Monaco
  MD: 'EU868', // Moldova
  ME: 'EU868', // Montenegro
  MF: 'EU868', // Saint Martin
  MG: 'EU868', // Madagascar
  MH: null, // Marshall Islands
  MK: 'EU868', // North Macedonia
  ML: 'EU868', // Mali
  MM: 'AS923_1', // Myanmar [Burma]
  MN: null, // Mongolia
  MO: 'AS923_1', // Macao
  MP: 'US915', // Northern Mariana Islands
  MQ: 'EU868', // Martinique
  MR: 'EU868', // Mauritania
  MS: 'AU915', // Montserrat
  MT: 'EU868', // Malta
  MU: 'EU868', // Mauritius
  MV: null, // Maldives
  MW: 'EU868', // Malawi
  MX: 'US915', // Mexico
  MY: 'AS923_1', // Malaysia — Helium AS923-1B, a sub-band variant of AS923-1
  MZ: 'EU868', // Mozambique
  NA: 'EU868', // Namibia
  NC: 'EU868', // New Caledonia
  NE: 'IN865', // Niger
  NF: 'AU915', // Norfolk Island
  NG: 'EU868', // Nigeria
  NI: 'AU915', // Nicaragua
  NL: 'EU868', // Netherlands
  NO: 'EU868', // Norway
  NP: null, // Nepal
  NR: null, // Nauru
  NU: 'AS923_1', // Niue
  NZ: 'AS923_1', // New Zealand — Helium AS923-1C, a sub-band variant of AS923-1
  OM: 'EU868', // Oman
  PA: 'AU915', // Panama
  PE: 'AU915', // Peru
  PF: 'EU868', // French Polynesia
  PG: 'AS923_1', // Papua New Guinea
  PH: 'AS923_3', // Philippines
  PK: 'AS923_1', // Pakistan
  PL: 'EU868', // Poland
  PM: 'EU868', // Saint Pierre and Miquelon
  PN: null, // Pitcairn Islands
  PR: 'US915', // Puerto Rico
  PS: null, // Palestinian Territories
  PT: 'EU868', // Portugal
  PW: null, // Palau
  PY: 'AU915', // Paraguay
  QA: 'EU868', // Qatar
  RE: 'EU868', // Réunion
  RO: 'EU868', // Romania
  RS: 'EU868', // Serbia
  RU: 'RU864', // Russia
  RW: 'EU868', // Rwanda
  SA: 'EU868', // Saudi Arabia
  SB: 'AS923_1', // Solomon Islands
  SC: 'EU868', // Seychelles
  SD: null, // Sudan — moved to Unknown by hplans 0eda304 (the csv still says EU868)
  SE: 'EU868', // Sweden
  SG: 'AS923_1', // Singapore
  SH: 'EU868', // Saint Helena Ascension and Tristan da Cunha
  SI: 'EU868', // Slovenia
  SJ: 'EU868', // Svalbard and Jan Mayen
  SK: 'EU868', // Slovakia
  SL: 'EU868', // Sierra Leone
  SM: 'EU868', // San Marino
  SN: 'EU868', // Senegal
  SO: 'EU868', // Somalia
  SR: 'AU915', // Suriname
  SS: null, // South Sudan
  ST: 'EU868', // São Tomé and Príncipe
  SV: 'AU915', // El Salvador
  SX: 'EU868', // Sint Maarten — no row of its own; the Saint Martin row notes its southern half is in the Netherlands' polygons
  SY: 'EU868', // Syria
  SZ: 'EU868', // Eswatini
  TC: 'AU915', // Turks and Caicos Islands
  TD: 'EU868', // Chad
  TF: 'EU868', // French Southern Territories
  TG: 'EU868', // Togo
  TH: 'AS923_1', // Thailand
  TJ: null, // Tajikistan
  TK: 'AS923_1', // Tokelau
  TL: null, // Timor-Leste
  TM: null, // Turkmenistan
  TN: 'EU868', // Tunisia
  TO: 'AU915', // Tonga
  TR: 'EU868', // Turkey
  TT: 'AU915', // Trinidad and Tobago
  TV: null, // Tuvalu
  TW: 'AS923_1', // Taiwan
  TZ: 'AS923_1', // Tanzania
  UA: 'EU868', // Ukraine
  UG: 'AS923_1', // Uganda
  UM: 'US915', // U.S. Minor Outlying Islands
  US: 'US915', // United States
  UY: 'AU915', // Uruguay
  UZ: 'EU433', // Uzbekistan
  VA: 'EU868', // Vatican City
  VC: 'AU915', // Saint Vincent and the Grenadines
  VE: 'AS923_1', // Venezuela
  VG: 'AU915', // British Virgin Islands
  VI: 'US915', // U.S. Virgin Islands
  VN: 'AS923_2', // Vietnam
  VU: 'AS923_3', // Vanuatu
  WF: 'EU868', // Wallis and Futuna
  WS: 'EU868', // Samoa
  XK: 'EU868', // Kosovo
  YE: null, // Yemen
  YT: 'EU868', // Mayotte
  ZA: 'EU868', // South Africa
  ZM: 'EU868', // Zambia
  ZW: 'EU868', // Zimbabwe
  AQ: null, // Antarctica (Unknown; the csv splits the claims between plans, the polygons do not)
};
