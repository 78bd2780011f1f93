/** Signing in and out. */
import { ApiError } from "../domain/errors.js";

export class AuthService {
  constructor(repositories) {
    this.auth = repositories.auth;
  }

  async login(username, password) {
    const name = String(username ?? "").trim();
    if (!name || !password) {
      throw new ApiError("Enter your username and password.", { status: 400 });
    }
    return this.auth.login(name, password);
  }

  logout() {
    return this.auth.logout();
  }

  currentUser() {
    return this.auth.me();
  }
}

/** Where to go after signing in: a same-site path from `?next=`, never another origin. */
export function safeNext(search, fallback = "/projects/") {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (next.startsWith("/login")) return fallback;
  return next;
}
