export const FERRY_VERSION = '0.1.0';
/** The Kuma release whose API Ferry matches. */
export const KUMA_API_VERSION = '2.14.3';
