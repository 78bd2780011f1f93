/** The UI's URLs, parsed. Django serves the same shell for each; `main.js` picks the page. */
export function route(pathname) {
  let m = /^\/projects\/(\d+)\/documents\/(\d+)\/?$/.exec(pathname);
  if (m) return { page: "reader", projectId: Number(m[1]), documentId: Number(m[2]) };
  m = /^\/projects\/(\d+)\/?$/.exec(pathname);
  if (m) return { page: "project", projectId: Number(m[1]) };
  if (/^\/login\/?$/.test(pathname)) return { page: "login" };
  if (/^\/account\/?$/.test(pathname)) return { page: "account" };
  if (/^\/users\/?$/.test(pathname)) return { page: "users" };
  m = /^\/invitations\/([^/]+)\/?$/.exec(pathname);
  if (m) return { page: "invitation", token: decodeURIComponent(m[1]) };
  if (/^\/(projects\/?)?$/.test(pathname)) return { page: "projects" };
  return { page: "not-found" };
}

export const urls = {
  projects: () => "/projects/",
  project: (projectId, tab = "") => `/projects/${projectId}/${tab ? `#${tab}` : ""}`,
  reader: (projectId, documentId, segmentId = null) =>
    `/projects/${projectId}/documents/${documentId}/${segmentId ? `?segment=${segmentId}` : ""}`,
  login: (next = "") => (next ? `/login/?next=${encodeURIComponent(next)}` : "/login/"),
};
