/** The runtime's error shape: `{ error: { code, message, details?, pointer? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly pointer?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Workspace {
  id: string;
  name: string;
  role: 'owner' | 'editor' | 'viewer';
}

export interface SessionInfo {
  user: { id: string; email: string };
  workspaces: Workspace[];
  csrfToken?: string;
}

/**
 * A small fetch wrapper for /api/v1: JSON in and out, the session cookie sent automatically, and the
 * session's CSRF token (learnt from sign-in, set-up and /me) sent on every state-changing request.
 */
export class ApiClient {
  private csrfToken: string | undefined;

  constructor(private readonly baseUrl = '') {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const data: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string; pointer?: string; details?: unknown } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.pointer, error?.details);
    }
    return data as T;
  }

  private remember(info: SessionInfo): SessionInfo {
    this.csrfToken = info.csrfToken;
    return info;
  }

  getSetupStatus(): Promise<{ setupRequired: boolean }> {
    return this.request('GET', '/api/v1/setup');
  }

  async createOwner(input: { email: string; password: string; workspaceName: string }): Promise<SessionInfo> {
    return this.remember(await this.request<SessionInfo>('POST', '/api/v1/setup', input));
  }

  async signIn(email: string, password: string): Promise<SessionInfo> {
    return this.remember(await this.request<SessionInfo>('POST', '/api/v1/auth/login', { email, password }));
  }

  /** The current session, or undefined when signed out. */
  async currentSession(): Promise<SessionInfo | undefined> {
    try {
      return this.remember(await this.request<SessionInfo>('GET', '/api/v1/me'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  }

  async signOut(): Promise<void> {
    await this.request('POST', '/api/v1/auth/logout');
    this.csrfToken = undefined;
  }
}

export const api = new ApiClient();
