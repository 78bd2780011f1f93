/** The header's breadcrumb trail and the sign-out button. */
import { h, mount } from "./dom.js";

export function setBreadcrumbs(items) {
  const nav = document.getElementById("breadcrumbs");
  if (!nav) return;
  const list = h("ol", {});
  items.forEach((item, i) => {
    const last = i === items.length - 1;
    list.append(
      h(
        "li",
        {},
        last || !item.href
          ? h("span", { "aria-current": last ? "page" : null }, item.label)
          : h("a", { href: item.href }, item.label),
      ),
    );
  });
  mount(nav, list);
}

export function bindSignOut(services) {
  const button = document.getElementById("sign-out");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await services.auth.logout();
    } finally {
      window.location.assign("/login/");
    }
  });
}
