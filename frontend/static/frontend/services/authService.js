/** Signing in and out. */
import { ApiError } from "../domain/errors.js";

export class AuthService {
  constructor(repositories) {
    this.auth = repositories.auth;
  }

  /** Sign in; resolves to the path to open next: the server's judgement of `?next=` (a path on this site). */
  async login(username, password, search = "") {
    const name = String(username ?? "").trim();
    if (!name || !password) {
      throw new ApiError("Enter your username and password.", { status: 400 });
    }
    const requested = new URLSearchParams(search).get("next") ?? "";
    const user = await this.auth.login(name, password, requested);
    return safeNext(`?${new URLSearchParams({ next: user?.next ?? "" })}`);
  }

  logout() {
    return this.auth.logout();
  }

  currentUser() {
    return this.auth.me();
  }
}

/**
 * Where to go after signing in: a same-site path from `?next=`, never another origin. Browsers drop tabs
 * and newlines from URLs and read `\` as `/`, so any of them makes the path unsafe (`/\t/evil.example/`).
 */
export function safeNext(search, fallback = "/projects/") {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  if (next.startsWith("/login")) return fallback;
  return next;
}
