/** Errors the client library throws; the CLI turns them into one-line messages and exit codes. */

/** The server answered with an error: status plus its `{error:{code,message,details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Bad command-line use (exit code 2). */
export class UsageError extends Error {}

/** Build an ApiError from an error answer's body, whatever shape it has. */
export function apiErrorFrom(status: number, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const e = parsed.error;
    if (e && typeof e.message === 'string') {
      return new ApiError(status, typeof e.code === 'string' ? e.code : String(status), e.message, e.details);
    }
  } catch {
    /* not JSON: a proxy's page, say */
  }
  const text = body.trim().split('\n')[0]?.slice(0, 200);
  return new ApiError(status, String(status), `HTTP ${status}${text ? `: ${text}` : ''}`);
}
