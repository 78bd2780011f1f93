/** The one error type the UI shows: an API (or network) failure with a message meant for people. */
export class ApiError extends Error {
  constructor(message, { status = 0, fields = null, body = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
    this.body = body;
  }

  get isUnauthenticated() {
    return this.status === 401;
  }
}

const FALLBACKS = {
  400: "The request was not accepted.",
  401: "Your session has ended. Please sign in again.",
  403: "You do not have permission to do that.",
  404: "Not found (or you are not a member of this project).",
  409: "This change conflicts with the current record.",
  429: "Too many attempts. Please wait a minute and try again.",
  500: "The server hit an error. Please try again; if it persists, tell your administrator.",
};

/** The message for a failed response: the API's `{"detail": ...}` when there is one. */
export function errorMessage(status, body) {
  if (body && typeof body === "object") {
    if (typeof body.detail === "string" && body.detail) return body.detail;
    if (Array.isArray(body.non_field_errors) && body.non_field_errors.length) {
      return String(body.non_field_errors[0]);
    }
  }
  if (typeof body === "string" && body.trim() && body.length < 300 && !body.trim().startsWith("<")) {
    return body.trim();
  }
  return FALLBACKS[status] ?? (status >= 500 ? FALLBACKS[500] : `Request failed (HTTP ${status}).`);
}
