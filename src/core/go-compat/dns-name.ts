/** govalidator's IsDNSName, which Kuma uses for addresses and secret names. */
import { Buffer } from 'node:buffer';
import { isIP } from './ip.js';

const DNS_NAME = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;
const MAX_LENGTH_WITHOUT_DOTS = 255;

/** Note that all-numeric names such as `1.2.3` qualify; IP addresses do not. */
export function isDnsName(s: string): boolean {
  if (s === '' || Buffer.byteLength(s.replaceAll('.', '')) > MAX_LENGTH_WITHOUT_DOTS) return false;
  return !isIP(s) && DNS_NAME.test(s);
}
