/** /api/v1/auth/: session login and logout, and who is signed in. */
export class AuthRepository {
  constructor(http) {
    this.http = http;
  }

  login(username, password) {
    return this.http.post("/auth/login/", { username, password });
  }

  logout() {
    return this.http.post("/auth/logout/");
  }

  me() {
    return this.http.get("/auth/me/");
  }
}
