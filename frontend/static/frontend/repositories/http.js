/**
 * The one place that talks HTTP. Repositories call it; components never do.
 *
 * Same-origin session auth: Django's session cookie travels automatically; unsafe methods send the CSRF
 * token from the `csrftoken` cookie as `X-CSRFToken`. Every failure becomes an ApiError carrying the API's
 * `{"detail": "..."}` message. `fetchFn` and `readCookie` are injectable so the layer is tested in Node.
 */
import { ApiError, errorMessage } from "../domain/errors.js";

export const API_ROOT = "/api/v1";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function readCookie(cookieString, name) {
  for (const part of String(cookieString ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

/** `?a=1&b=2` from an object, skipping null/undefined/"" values. */
export function queryString(params = {}) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export class HttpClient {
  constructor({
    fetchFn = globalThis.fetch?.bind(globalThis),
    getCookies = () => globalThis.document?.cookie ?? "",
    root = API_ROOT,
    onUnauthenticated = null,
  } = {}) {
    this.fetchFn = fetchFn;
    this.getCookies = getCookies;
    this.root = root;
    this.onUnauthenticated = onUnauthenticated;
  }

  url(path) {
    return /^https?:\/\//.test(path) || path.startsWith(this.root) ? path : `${this.root}${path}`;
  }

  async request(method, path, options = {}) {
    return (await this.send(method, path, options)).data;
  }

  /** The response and its parsed body; a failed request throws an ApiError (204 and 304 have no body). */
  async send(method, path, { body, params, form, headers: extra = {} } = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    // A FormData body (file uploads) sets its own multipart Content-Type, boundary included.
    if (UNSAFE.has(method)) {
      const token = readCookie(this.getCookies(), "csrftoken");
      if (token) headers["X-CSRFToken"] = token;
    }
    let response;
    try {
      response = await this.fetchFn(this.url(path) + queryString(params), {
        method,
        headers,
        credentials: "same-origin",
        body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
    } catch {
      throw new ApiError("Could not reach the server. Check your connection and try again.", { status: 0 });
    }
    if (response.status === 204 || response.status === 304) return { response, data: null };
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      const error = new ApiError(errorMessage(response.status, data), {
        status: response.status,
        fields: data && typeof data === "object" ? (data.fields ?? null) : null,
        body: data,
      });
      // 403 without a session also means "signed out" for SessionAuthentication, but a signed-in member
      // lacking a role gets 403 too; only 401 is unambiguous.
      if (response.status === 401 && this.onUnauthenticated) this.onUnauthenticated(error);
      throw error;
    }
    return { response, data };
  }

  get(path, params) {
    return this.request("GET", path, { params });
  }

  /**
   * A GET that sends the tag it got last time (`If-None-Match`): `{changed: false}` on 304, else
   * `{changed: true, tag, data}`. For the dashboard's pulse: nothing is read while nothing changed.
   */
  async getIfChanged(path, tag) {
    const { response, data } = await this.send("GET", path, { headers: tag ? { "If-None-Match": tag } : {} });
    if (response.status === 304) return { changed: false, tag };
    return { changed: true, tag: response.headers.get("ETag"), data };
  }

  post(path, body = {}) {
    return this.request("POST", path, { body });
  }

  /** A multipart POST (``FormData``: files and fields), e.g. transcript uploads. */
  postForm(path, form) {
    return this.request("POST", path, { form });
  }

  patch(path, body) {
    return this.request("PATCH", path, { body });
  }

  delete(path) {
    return this.request("DELETE", path);
  }

  /** The items of a list's first page (e.g. the newest runs or exports), whatever its shape. */
  async firstPage(path, params = {}) {
    const page = await this.get(path, params);
    return Array.isArray(page) ? page : (page?.results ?? []);
  }

  /**
   * Every item of a paginated list (`{count, next, results}`), following `next` links. Plain arrays are
   * returned as they are, so an endpoint that drops pagination keeps working.
   */
  async list(path, params = {}, { pageSize = 500, maxPages = 200 } = {}) {
    let page = await this.get(path, { page_size: pageSize, ...params });
    if (Array.isArray(page)) return page;
    const items = [...(page?.results ?? [])];
    let pages = 1;
    while (page?.next && pages < maxPages) {
      const next = new URL(page.next, "http://same-origin.invalid");
      page = await this.get(next.pathname + next.search);
      items.push(...(page?.results ?? []));
      pages += 1;
    }
    return items;
  }
}
