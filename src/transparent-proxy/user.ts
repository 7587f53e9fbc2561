/** Resolves `--kuma-dp-user` (a username or uid) to a numeric uid via the passwd database. */
import { readFileSync } from 'node:fs';
import { DEFAULT_KUMA_DP_UID, DEFAULT_KUMA_DP_USERNAME } from './options.js';

interface PasswdEntry {
  name: string;
  uid: number;
}

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').flatMap((line) => {
    const [name, , uid] = line.split(':');
    return name && uid !== undefined && /^\d+$/.test(uid) ? [{ name, uid: Number(uid) }] : [];
  });
}

function readPasswd(): PasswdEntry[] {
  try {
    return parsePasswd(readFileSync('/etc/passwd', 'utf8'));
  } catch {
    return [];
  }
}

/**
 * A numeric value is taken as a uid even without a passwd entry (containers
 * often run uids that have none). Without a value, like Kuma, look for the
 * default uid or the default username.
 */
export function resolveKumaDpUid(user: string | undefined, entries: PasswdEntry[] = readPasswd()): number {
  if (user !== undefined && user !== '') {
    if (/^\d+$/.test(user)) return Number(user);
    const entry = entries.find((e) => e.name === user);
    if (!entry) throw new Error(`user "${user}" does not exist`);
    return entry.uid;
  }
  const fallback = entries.find((e) => e.uid === DEFAULT_KUMA_DP_UID) ?? entries.find((e) => e.name === DEFAULT_KUMA_DP_USERNAME);
  if (!fallback) {
    throw new Error(`no user with the default uid (${DEFAULT_KUMA_DP_UID}) or username (${DEFAULT_KUMA_DP_USERNAME}) exists; use --kuma-dp-user`);
  }
  return fallback.uid;
}

