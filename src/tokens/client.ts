/** Asks a control plane for a dataplane token, as kumactl does (`POST /tokens/dataplane`). */
import type { DataplaneTokenRequest } from './token-routes.js';
import { DATAPLANE_TOKEN_PATH } from './token-routes.js';

export interface TokenClientOptions {
  /** A user token (e.g. the admin token), sent as `Authorization: Bearer …`; not needed from localhost. */
  authToken?: string;
}

export async function requestDataplaneToken(apiBaseUrl: string, request: DataplaneTokenRequest, opts: TokenClientOptions = {}): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.authToken) headers.authorization = `Bearer ${opts.authToken}`;
  let res: Response;
  try {
    res = await fetch(`${apiBaseUrl.replace(/\/+$/, '')}${DATAPLANE_TOKEN_PATH}`, { method: 'POST', headers, body: JSON.stringify(request) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new Error(`failed to generate a dataplane token: could not execute the request: cannot reach the control plane at ${apiBaseUrl}: ${cause ?? (e as Error).message}`);
  }
  const body = await res.text();
  if (res.status === 200) return body;
  let error: { title?: string; detail?: string; invalid_parameters?: { field: string; reason: string }[] } | undefined;
  try {
    error = JSON.parse(body);
  } catch {
    error = undefined;
  }
  if (error?.title) {
    const lines = [`${error.title} (${error.detail ?? ''})`, ...(error.invalid_parameters ?? []).map((p) => `* ${p.field}: ${p.reason}`)];
    throw new Error(`failed to generate a dataplane token: ${lines.join('\n')}`);
  }
  throw new Error(`failed to generate a dataplane token: (${res.status}): ${body}`);
}
