import { exactTime, parseTime, relativeTime } from "../domain/time.js";

/**
 * A tiny element builder. Text always goes in as text nodes (never innerHTML), so transcript content and
 * names from the API cannot inject markup.
 *
 *   h("button", { class: "btn", onclick: save, "aria-label": "Save" }, "Save")
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (key === "style" && typeof value === "object") {
      for (const [prop, v] of Object.entries(value)) {
        if (prop.startsWith("--")) el.style.setProperty(prop, v);
        else el.style[prop] = v;
      }
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof value !== "string") {
      el[key] = value; // properties such as checked, disabled, value
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * A wide table in a box of its own that scrolls sideways on a small screen, so the page never does. The
 * box is a labelled region that takes focus, so it can be scrolled from the keyboard too. `className`
 * "table-wrap" gives it the framed look of the project's main tables.
 */
export function scrollBox(label, table, className = "table-scroll") {
  return h("div", { class: className, role: "region", "aria-label": label, tabindex: "0" }, table);
}

/** Replace everything inside `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A polite live-region announcement for screen readers (and a visible toast). */
export function announce(message, { tone = "info", timeout = 2500 } = {}) {
  const region = document.getElementById("toasts");
  if (!region) return;
  region.replaceChildren(); // one at a time: it sits over the top bar, never over the text
  const toast = h("div", { class: ["toast", `toast-${tone}`], role: tone === "error" ? "alert" : "status", title: message }, message);
  region.append(toast);
  setTimeout(() => toast.remove(), timeout);
}

/** An error box that shows the API's message; `null` clears it. */
export function errorBox(error) {
  if (!error) return null;
  const message = typeof error === "string" ? error : (error.message ?? String(error));
  return h("div", { class: "alert alert-error", role: "alert" }, message);
}

export function formatDate(value) {
  if (!value) return "—";
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

let clockTimer = null;

/** Keep every relative time on the page current (once a minute, one timer for the page). */
function startClock() {
  if (clockTimer !== null || typeof document === "undefined") return;
  clockTimer = setInterval(() => {
    for (const el of document.querySelectorAll("time[data-relative]")) {
      el.textContent = relativeTime(el.dateTime);
    }
  }, 60_000);
}

/**
 * A moment in time, as `<time>`: relative ("5 min ago", "yesterday at 14:05"), with the exact date and
 * time on hover and for assistive technology. For calendar dates (an interview date) use `formatDate`.
 */
export function timeAgo(value) {
  const date = parseTime(value);
  if (!date) return "—";
  startClock();
  const exact = exactTime(date);
  return h("time", { datetime: date.toISOString(), title: exact, dataset: { relative: "" } }, relativeTime(date));
}

export function setTitle(...parts) {
  document.title = [...parts.filter(Boolean), "Intercoder"].join(" · ");
}

/**
 * For views that ask the server again on every change of a form: `const ask = newestOnly()`, then in the
 * loader `const current = ask()` before the request and `if (!current()) return` after it, so an answer
 * that arrives after a newer question was asked (the server answered them out of order) is dropped
 * instead of overwriting the newer one.
 */
export function newestOnly() {
  let asked = 0;
  return () => {
    const mine = ++asked;
    return () => mine === asked;
  };
}

export function spinner(label = "Loading…") {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), label);
}
