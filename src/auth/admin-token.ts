/**
 * The admin user token, created once and kept in the `admin-user-token` GlobalSecret as Kuma
 * does, so the API can be managed from other hosts. Only how to read it is logged: the token
 * itself stays out of logs, and localhost (the admin) can read the GlobalSecret.
 */
import type { ResourceManager } from '../core/manager.js';
import { AlreadyExistsError } from '../store/store.js';
import type { UserTokens } from '../tokens/user-token.js';
import { ADMIN } from './user.js';

export const ADMIN_USER_TOKEN_SECRET = 'admin-user-token';

const ADMIN_TOKEN_VALIDITY_MS = 10 * 365 * 24 * 3600 * 1000;

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Creates the admin token unless it exists; returns whether this call created it. */
export async function ensureAdminToken(manager: ResourceManager, users: UserTokens): Promise<boolean> {
  if (await manager.store.get('GlobalSecret', { mesh: '', name: ADMIN_USER_TOKEN_SECRET })) return false;
  const token = await users.issue(ADMIN, ADMIN_TOKEN_VALIDITY_MS);
  try {
    await manager.create(
      manager.registry.mustGet('GlobalSecret'),
      { mesh: '', name: ADMIN_USER_TOKEN_SECRET },
      { labels: {}, spec: { data: Buffer.from(token, 'utf8').toString('base64') } },
    );
    return true;
  } catch (e) {
    // another control plane on the same store stored its token first; that one counts
    if (e instanceof AlreadyExistsError) return false;
    throw e;
  }
}

/** Ensures the admin token at start-up; a failure is logged and the control plane runs on (as Kuma). */
export async function bootstrapAdminToken(manager: ResourceManager, users: UserTokens, logger: Logger, apiPort: number): Promise<void> {
  try {
    if (await ensureAdminToken(manager, users)) logger.info({ globalSecretName: ADMIN_USER_TOKEN_SECRET }, 'Admin User Token generated and saved');
  } catch (err) {
    logger.error({ err }, 'could not generate Admin User Token');
    return;
  }
  logger.info(
    { globalSecretName: ADMIN_USER_TOKEN_SECRET },
    `bootstrap of Admin User Token is enabled. To extract admin credentials execute 'curl http://localhost:${apiPort}/globalsecrets/${ADMIN_USER_TOKEN_SECRET} | jq -r .data | base64 -d'. ` +
      "Send it as 'Authorization: Bearer <token>'. " +
      'To disable bootstrap of Admin User Token set FERRY_API_SERVER_AUTHN_TOKENS_BOOTSTRAP_ADMIN_TOKEN to false.',
  );
}
