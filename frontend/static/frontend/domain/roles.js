/** What each project role may do in the UI. The API enforces the same rules; this only hides controls. */
export const ROLE_LABELS = {
  owner: "Owner (PI)",
  adjudicator: "Adjudicator",
  coder: "Coder",
  viewer: "Viewer",
};

export const roleLabel = (role) => ROLE_LABELS[role] ?? role;

/** One line on what each role does, beside a member's name. */
export const ROLE_HELP = {
  owner: "Runs the study: codebook, cases, transcripts, members, releases.",
  adjudicator: "Codes, sees every coder's codings and resolves disagreements.",
  coder: "Codes assigned transcripts; sees only their own codings (blind).",
  viewer: "Reads the project; does not code.",
};

/** Coders, adjudicators and owners apply codes and write segment memos. */
export const canCode = (role) => role === "owner" || role === "adjudicator" || role === "coder";

/** Only owners change the codebook, cases, documents and membership. */
export const canEditCodebook = (role) => role === "owner";

/** Owners and adjudicators see every coder's codings; coders see only their own (blind coding). */
export const seesAllCodings = (role) => role === "owner" || role === "adjudicator";
