/** Deliveries the end-to-end suites send: signed headers, an issue, a pull request, a hostile manifest. */
import { createHmac } from "node:crypto";
import { fixture } from "../github/harness.js";
import type { FakeGitHub, PrFile } from "./fake-github.js";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(50);
  }
}

/** The headers GitHub sends with a delivery, signed with `secret`. */
export function signed(
  secret: string,
  event: string,
  delivery: string,
  body: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
}

/** POST a delivery to a web replica's webhook path, signed with `secret`. */
export function postSigned(base: string, secret: string, event: string, body: string, delivery: string) {
  return fetch(`${base}/api/github/webhooks`, {
    method: "POST",
    headers: signed(secret, event, delivery, body),
    body,
  });
}

/** An `issues.opened` payload whose body is the founding report's traceback (macOS, gevent). */
export function issueBody(number: number): string {
  const p = fixture<{ issue: { number: number; title: string; body: string } }>("issues.opened");
  p.issue.number = number;
  p.issue.title = "Crash on macOS";
  p.issue.body =
    'gunicorn -k gevent\n```\n  File "/Users/me/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';
  return JSON.stringify(p);
}

/** A diff that adds every line of `src`. */
export function added(src: string): string {
  const lines = src.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

/** A module that patches after importing requests: one finding (gevent-patch-late-ssl). */
export const LATE = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";

/** A `pull_request.opened` payload; the stand-in serves `svc/lateN.py` (LATE) and `extra` as its files. */
export function pullBody(gh: FakeGitHub, number: number, head: string, extra: PrFile[] = []): string {
  gh.prFiles.set(number, [
    { filename: `svc/late${number}.py`, status: "added", patch: added(LATE), content: LATE },
    ...extra,
  ]);
  const p = fixture<{ number: number; pull_request: { number: number; head: { sha: string } } }>(
    "pull_request.opened",
  );
  p.number = number;
  p.pull_request.number = number;
  p.pull_request.head.sha = head;
  return JSON.stringify(p);
}

/** A pyproject.toml with `n` dependencies after `n` blank lines (what took 16 s to read before). */
export function hostileManifest(n: number): string {
  const deps = Array.from({ length: n }, (_, i) => `"p${i}>=1"`).join(",\n");
  return `${"\n".repeat(n)}[project]\nname = "x"\ndependencies = [\n${deps}\n]\n`;
}
