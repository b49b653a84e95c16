/** Pull-request review test helpers: the GitHub API calls a review makes, mocked with nock. */
import type nock from "nock";
import { API, fixture, OWNER, REPO } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
export type Payload = Record<string, any>;

export const HEAD = "1111111111111111111111111111111111111111";
export const BASE = "0000000000000000000000000000000000000000";
export const PULL = `/repos/${OWNER}/${REPO}/pulls/12`;

export const LATE_PATCH_SRC =
  "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n\n\ndef main():\n    requests.get('https://example.com')\n";

export function addedPatch(src: string): string {
  const lines = src.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

export interface File {
  filename: string;
  status: string;
  patch?: string;
  previous_filename?: string;
}

/** GraphQL: blob contents by "sha:path" expression. */
export function graphqlContents(
  scope: nock.Scope,
  blobs: Record<string, string | null>,
  seen?: { vars?: Record<string, string> },
  times = 1,
) {
  return scope
    .post("/graphql", (b: { query: string }) => b.query.includes("on Blob { text isBinary byteSize }"))
    .times(times)
    .reply(200, (_uri, body) => {
      const vars = (body as { variables: Record<string, string> }).variables;
      if (seen) seen.vars = vars;
      const repository: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(vars)) {
        if (k === "owner" || k === "repo") continue;
        const text = blobs[expr];
        repository[k] = text === undefined ? null : { text, isBinary: false, byteSize: (text ?? "").length };
      }
      return { data: { repository } };
    });
}

export function checks(
  scope: nock.Scope,
  capture: { create?: Payload; updates: Payload[] } = { updates: [] },
) {
  scope
    .post(`/repos/${OWNER}/${REPO}/check-runs`, (b: Payload) => {
      capture.create = b;
      return true;
    })
    .reply(201, { id: 77 });
  return capture;
}

/** The check run's PATCH requests (annotation batches, then the conclusion), captured in order. */
export function completions(scope: nock.Scope, check: { updates: Payload[] } = { updates: [] }, times = 1) {
  scope
    .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b: Payload) => {
      check.updates.push(b);
      return true;
    })
    .times(times)
    .reply(200, {});
  return check;
}

/** The one review the App posts; `review.body` is its payload once sent. */
export function captureReview(scope: nock.Scope): { body: Payload } {
  const review = { body: {} as Payload };
  scope
    .post(`${PULL}/reviews`, (b: Payload) => {
      review.body = b;
      return true;
    })
    .reply(200, { id: 1 });
  return review;
}

/** The paginated file listing, 100 per page with GitHub's Link headers. */
/**
 * The head tree: the PR's files plus `more` (manifests, run configs). Optional: a review lists it
 * only when there is code or a project file to review (the budget tests count the calls).
 */
export function tree(scope: nock.Scope, list: File[], more: Record<string, number> = {}) {
  const entries = [
    ...list.filter((f) => f.status !== "removed").map((f) => ({ path: f.filename, type: "blob", size: 100 })),
    ...Object.entries(more).map(([path, size]) => ({ path, type: "blob", size })),
  ];
  scope
    .get(new RegExp(`^/repos/${OWNER}/${REPO}/git/trees/[0-9a-f]{40}\\?recursive=1$`))
    .optionally()
    .reply(200, { tree: entries, truncated: false });
}

export function files(scope: nock.Scope, list: File[], more?: Record<string, number>) {
  tree(scope, list, more);
  const pages = Math.max(1, Math.ceil(list.length / 100));
  const link = (n: number) =>
    `<${API}${PULL}/files?per_page=100&page=${n}>; rel="next", <${API}${PULL}/files?per_page=100&page=${pages}>; rel="last"`;
  for (let page = 1; page <= pages; page++) {
    const query = page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) };
    scope
      .get(`${PULL}/files`)
      .query(query)
      .reply(200, list.slice((page - 1) * 100, page * 100), page < pages ? { link: link(page + 1) } : {});
  }
}

export function opened(patch: (p: Payload) => void = () => {}): Payload {
  const p = fixture<Payload>("pull_request.opened");
  patch(p);
  return p;
}
