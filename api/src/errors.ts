/** Stable error codes of the query API, one place. */
export const API_ERRORS = {
  unauthenticated: 401,
  invalid_request: 400,
  forbidden: 403,
  dashboard_locked: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return API_ERRORS[this.code];
  }
}

export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
}
