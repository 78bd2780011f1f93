/** The sign-in form: posts to the session login API and shows its error message. (With passwords turned
 * off the page has no form, only the single sign-on link.) */
import { errorBox, mount } from "./dom.js";

export function LoginPage({ services, root = document }) {
  const form = root.getElementById("login-form");
  if (!form) return;
  const errors = root.getElementById("login-error");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    mount(errors);
    button.disabled = true;
    button.textContent = "Signing in…";
    try {
      window.location.assign(await services.auth.login(form.username.value, form.password.value, window.location.search));
    } catch (error) {
      mount(errors, errorBox(error));
      form.password.value = "";
      form.password.focus();
      button.disabled = false;
      button.textContent = "Sign in";
    }
  });
  form.username.focus();
}
