// Helium iot_verifier poc.rs beacon fixture (oracle/README.md §Helium reference, fixture 16), shared by the verifier tests.
export const REMOTE_ENTROPY = Buffer.from('b6aa3f80d9355f139d998626b8d1ff1776cda36ae11a10006a8d516546276b09', 'hex');
export const LOCAL_ENTROPY = Uint8Array.from([233, 70, 25, 176]);
export const POC_DATA = Uint8Array.from([
  28, 153, 18, 65, 96, 232, 59, 146, 134, 125, 99, 12, 175, 76, 158, 210, 28, 253, 146, 59, 187, 203, 122, 146, 49, 241, 156, 148, 74, 246, 68,
  17, 8, 212, 48, 6, 152, 58, 221, 158, 186, 101, 37, 59, 135, 126, 18, 72, 244, 65, 174,
]);
export const ENTROPY_TS_S = 1677163710;
