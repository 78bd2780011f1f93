// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (OpenID Certified),
// with its built-in login and consent pages. Everything comes from the environment:
//   OIDC_PORT      the port to listen on (127.0.0.1); the issuer is http://127.0.0.1:<port>
//   OIDC_CLIENT    JSON: {"client_id", "client_secret", "redirect_uris": [...]}
//   OIDC_ACCOUNTS  JSON: {"<login>": {"email", "email_verified", "name"}, ...}; the subject is the login
// Prints "listening <issuer>" once it accepts connections.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);

const provider = new Provider(issuer, {
  clients: [
    {
      ...client,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
    },
  ],
  // Every authorization request must carry a PKCE S256 challenge.
  pkce: { required: () => true, methods: ["S256"] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: ["test-only-cookie-key"] },
  async findAccount(ctx, login) {
    const account = accounts[login];
    if (!account) return undefined;
    return {
      accountId: login,
      async claims() {
        return { sub: login, ...account };
      },
    };
  },
});
// The built-in pages import a web font; the tests reach nothing but this machine, so the import goes.
provider.use(async (ctx, next) => {
  await next();
  if (typeof ctx.body === "string") ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);/g, "");
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));

provider.listen(port, "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});
