/** /api/v1/auth/: session login and logout, and who is signed in. */
export class AuthRepository {
  constructor(http) {
    this.http = http;
  }

  login(username, password, next = "") {
    return this.http.post("/auth/login/", { username, password, next });
  }

  logout() {
    return this.http.post("/auth/logout/");
  }

  me() {
    return this.http.get("/auth/me/");
  }
}
