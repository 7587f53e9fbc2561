/** A small client for Ferry's (and Kuma's) REST API, used by ferryctl. */

export interface ApiErrorBody {
  title?: string;
  detail?: string;
  details?: string;
  invalid_parameters?: { field: string; reason: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
    raw: string,
  ) {
    super(ApiError.describe(status, body, raw));
    this.name = 'ApiError';
  }

  private static describe(status: number, body: ApiErrorBody | undefined, raw: string): string {
    if (!body || (!body.title && !body.detail)) return `HTTP ${status}: ${raw.trim() || 'no details'}`;
    const lines = [`${body.title || `HTTP ${status}`} (${body.detail ?? body.details ?? ''})`];
    for (const p of body.invalid_parameters ?? []) lines.push(`* ${p.field}: ${p.reason}`);
    return lines.join('\n');
  }
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    /** A user token (`FERRY_API_TOKEN`) for control planes that are not on this host. */
    private readonly token: string | undefined = process.env.FERRY_API_TOKEN || undefined,
  ) {}

  private url(path: string, query?: URLSearchParams): string {
    const base = this.baseUrl.replace(/\/+$/, '');
    const q = query && [...query.keys()].length > 0 ? `?${query.toString()}` : '';
    return `${base}${path}${q}`;
  }

  async request<T>(method: string, path: string, body?: unknown, query?: URLSearchParams): Promise<T> {
    const text = await this.requestText(method, path, body, query);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return undefined as T;
    }
  }

  /** For endpoints that answer plain text (e.g. tokens); errors are still Kuma's JSON envelope. */
  async requestText(method: string, path: string, body?: unknown, query?: URLSearchParams): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.url(path, query), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(`cannot reach the control plane at ${this.baseUrl}: ${cause ?? (e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: ApiErrorBody | undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      throw new ApiError(res.status, parsed, text);
    }
    return text;
  }

  get<T>(path: string, query?: URLSearchParams): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }

  /** Follows `next` links until every page is read. */
  async listAll<T>(path: string, query = new URLSearchParams()): Promise<{ total: number; items: T[] }> {
    const items: T[] = [];
    let page = await this.get<{ total: number; items: T[]; next: string | null }>(path, query);
    items.push(...page.items);
    while (page.next) {
      const next = new URL(page.next);
      page = await this.get(next.pathname, next.searchParams);
      items.push(...page.items);
    }
    return { total: page.total, items };
  }
}
