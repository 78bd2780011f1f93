import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = new URL("../static/frontend/", import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".js") ? [path] : [];
  });
}

test("components reach the server only through services; only repositories call fetch", () => {
  const offenders = [];
  for (const path of files(join(ROOT, "components"))) {
    const source = readFileSync(path, "utf8");
    // The reader builds its coding session (a service) from the repositories: the one composition here.
    const uses = source.split("\n").filter((line) => /\brepositories\b|\bfetch\(/.test(line) && !/new CodingSession\(services\.repositories/.test(line));
    if (uses.length) offenders.push(`${path.slice(ROOT.length)}: ${uses[0].trim()}`);
  }
  for (const path of [...files(join(ROOT, "services")), ...files(join(ROOT, "domain"))]) {
    if (/\bfetch\(/.test(readFileSync(path, "utf8"))) offenders.push(`${path.slice(ROOT.length)} calls fetch`);
  }
  assert.deepEqual(offenders, []);
});

test("every module of the UI loads (a syntax or declaration error fails here, not first in a browser)", async () => {
  const failures = [];
  // main.js is left out: loading it starts the app, which needs a browser.
  for (const path of files(ROOT).filter((f) => !f.endsWith("/main.js"))) {
    try {
      await import(path);
    } catch (error) {
      failures.push(`${path.slice(ROOT.length)}: ${error.message}`);
    }
  }
  assert.deepEqual(failures, []);
});
