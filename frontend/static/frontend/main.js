/**
 * Entry point: wire repositories → services → the page for this URL. Pages are server-rendered shells
 * (Django only serves the template); everything else comes from the JSON API.
 *
 *   /login/                                   sign in
 *   /invitations/<token>/                     an invitation: join, or choose a name and password
 *   /account/                                 name, password, API tokens
 *   /users/                                   instance administrators: accounts
 *   /projects/                                the caller's projects
 *   /projects/<id>/                           project overview (#work #documents #cases #codebook #members #plan #analysis #adjudication #exports)
 *   /projects/<id>/documents/<doc>/[?segment=<id>]  transcript reader and coding view (at that segment)
 */
import { bindSignOut } from "./components/appHeader.js";
import { errorBox, h, mount } from "./components/dom.js";
import { LoginPage } from "./components/loginPage.js";
import { AccountPage } from "./components/accountPage.js";
import { InvitationPage } from "./components/invitationPage.js";
import { ProjectListPage } from "./components/projectListPage.js";
import { ProjectOverviewPage } from "./components/projectOverviewPage.js";
import { ReaderPage } from "./components/readerPage.js";
import { UsersPage } from "./components/usersPage.js";
import { route, urls } from "./domain/routes.js";
import { HttpClient } from "./repositories/http.js";
import { createRepositories } from "./repositories/index.js";
import { AdjudicationService } from "./services/adjudicationService.js";
import { AnalysisService } from "./services/analysisService.js";
import { AuthService } from "./services/authService.js";
import { ExploreService } from "./services/exploreService.js";
import { ExportService } from "./services/exportService.js";
import { PlanService } from "./services/planService.js";
import { ProjectService } from "./services/projectService.js";
import { TeamService } from "./services/teamService.js";
import { TranscriptService } from "./services/transcriptService.js";
import { WorkService } from "./services/workService.js";

function signInAgain() {
  window.location.assign(urls.login(window.location.pathname + window.location.search + window.location.hash));
}

async function start() {
  // Pages Django renders whole (password reset: Django's own views and forms) need no script.
  if (document.getElementById("app")?.hasAttribute("data-server-rendered")) return undefined;
  const where = route(window.location.pathname);
  // The invitation page is for people who may not be signed in: a 401 there is an answer, not a redirect.
  const http = new HttpClient({ onUnauthenticated: where.page === "invitation" ? null : signInAgain });
  const repositories = createRepositories(http);
  const services = {
    repositories,
    auth: new AuthService(repositories),
    projects: new ProjectService(repositories),
    analysis: new AnalysisService(repositories),
    work: new WorkService(repositories),
    exports: new ExportService(repositories),
    explore: new ExploreService(repositories),
    adjudication: new AdjudicationService(repositories),
    transcripts: new TranscriptService(repositories),
    plans: new PlanService(repositories),
    team: new TeamService(repositories),
  };
  if (where.page === "login") return LoginPage({ services });
  if (where.page === "invitation") return InvitationPage({ services, root: document.getElementById("app"), token: where.token });

  bindSignOut(services);
  const root = document.getElementById("app");
  try {
    if (where.page === "projects") return await ProjectListPage({ services, root });
    if (where.page === "project") return await ProjectOverviewPage({ services, root, ...where });
    if (where.page === "reader") return await ReaderPage({ services, root, ...where });
    if (where.page === "account") return await AccountPage({ services, root });
    if (where.page === "users") return await UsersPage({ services, root });
    mount(root, h("h1", {}, "Page not found"), h("p", {}, h("a", { href: "/projects/" }, "Back to your projects")));
  } catch (error) {
    mount(root, h("h1", {}, "Something went wrong"), errorBox(error));
    throw error;
  }
  return undefined;
}

start();
