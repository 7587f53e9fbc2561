/** Asks a control plane for a dataplane token, as kumactl does (`POST /tokens/dataplane`). */
import { ApiClient, ApiError } from '../cli/api-client.js';
import type { DataplaneTokenRequest } from './token-routes.js';
import { DATAPLANE_TOKEN_PATH } from './token-routes.js';

export interface TokenClientOptions {
  /** A user token (e.g. the admin token), sent as `Authorization: Bearer …`; not needed from localhost. */
  authToken?: string;
}

export async function requestDataplaneToken(apiBaseUrl: string, request: DataplaneTokenRequest, opts: TokenClientOptions = {}): Promise<string> {
  try {
    return await new ApiClient(apiBaseUrl, opts.authToken).requestText('POST', DATAPLANE_TOKEN_PATH, request);
  } catch (e) {
    const reason = e instanceof ApiError ? e.message : `could not execute the request: ${(e as Error).message}`;
    throw new Error(`failed to generate a dataplane token: ${reason}`);
  }
}
