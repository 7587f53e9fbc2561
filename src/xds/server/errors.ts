/** Turns a refusal from the control plane into the gRPC status that ends the stream. */
import { Code, ConnectError } from '@connectrpc/connect';

const normalise = (s: string): string => s.replace(/[^a-z]/gi, '').toLowerCase();

const CODE_BY_NAME = new Map<string, Code>(
  Object.entries(Code)
    .filter((entry): entry is [string, Code] => typeof entry[1] === 'number')
    .map(([name, code]) => [normalise(name), code]),
);

function codeOf(value: unknown): Code | undefined {
  if (typeof value === 'number') return Code[value] !== undefined ? (value as Code) : undefined;
  if (typeof value === 'string') return CODE_BY_NAME.get(normalise(value));
  return undefined;
}

/** Keeps a `code` the error carries (Connect number or name such as `permission_denied`); else `internal`. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof err === 'object' && err !== null ? codeOf((err as { code?: unknown }).code) : undefined;
  return new ConnectError(message, code ?? Code.Internal);
}
