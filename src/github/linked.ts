/**
 * Pull requests linked to an issue: GitHub's timeline records a `cross-referenced` event when a
 * pull request mentions the issue ("Fixes #12", "see #12"). The timeline's first page (oldest
 * first) and, on a long thread, its last two (the newest), at most three requests within one
 * time budget; a pull request closed without merging is not a change anyone still proposes.
 * Best effort: a timeline that cannot be read (no permission, gone, rate limited) lists nothing,
 * and a later page that cannot be read leaves what the others said.
 */
import type { ProbotOctokit } from "probot";
import type { IssueRef } from "./sticky.js";

/** Linked pull requests read at most (the newest), and characters of each one's description. */
export const MAX_LINKED = 10;
const BODY_CHARS = 8 * 1024;
const TIMELINE_TIMEOUT_MS = 5000;
/** Timeline pages read at most: the first and the last ones. */
const MAX_PAGES = 3;
const PER_PAGE = 100;

/** The `rel="last"` page of a Link header, or 1. */
export function lastPage(link: string | undefined): number {
  for (const part of (link ?? "").split(",")) {
    if (!part.includes('rel="last"')) continue;
    const m = /[?&]page=(\d{1,6})\b/.exec(part);
    if (m) return Number(m[1]);
  }
  return 1;
}

export interface LinkedChange {
  /** `owner/name#number`. */
  ref: string;
  merged: boolean;
  /** The pull request's title and description, bounded. */
  text: string;
}

interface TimelineSource {
  issue?: {
    number?: number;
    title?: string | null;
    body?: string | null;
    state?: string | null;
    pull_request?: { merged_at?: string | null } | null;
    repository?: { full_name?: string | null } | null;
  } | null;
}

export async function linkedChanges(octokit: ProbotOctokit, ref: IssueRef): Promise<LinkedChange[]> {
  const signal = AbortSignal.timeout(TIMELINE_TIMEOUT_MS);
  const page = (n: number) =>
    octokit.rest.issues.listEventsForTimeline({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issue_number,
      per_page: PER_PAGE,
      ...(n > 1 ? { page: n } : {}),
      request: { signal },
    });
  const events: unknown[] = [];
  let last = 1;
  try {
    const r = await page(1);
    if (Array.isArray(r.data)) for (const e of r.data) events.push(e);
    last = lastPage(r.headers.link);
  } catch {
    return [];
  }
  // A long thread: its newest pages too (oldest first, as the first page is).
  for (let n = Math.max(2, last - (MAX_PAGES - 2)); n <= last; n++) {
    try {
      const r = await page(n);
      if (Array.isArray(r.data)) for (const e of r.data) events.push(e);
    } catch {
      break;
    }
  }
  const out: LinkedChange[] = [];
  const seen = new Set<string>();
  for (const e of events.slice().reverse()) {
    const event = e as { event?: string; source?: TimelineSource | null };
    const pr = event.event === "cross-referenced" ? event.source?.issue : undefined;
    if (!pr?.pull_request || typeof pr.number !== "number") continue;
    const merged = typeof pr.pull_request.merged_at === "string";
    if (pr.state === "closed" && !merged) continue; // abandoned
    const key = `${pr.repository?.full_name ?? `${ref.owner}/${ref.repo}`}#${pr.number}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = `${pr.title ?? ""}\n${(pr.body ?? "").slice(0, BODY_CHARS)}`;
    out.push({ ref: key, merged, text });
    if (out.length === MAX_LINKED) break;
  }
  return out;
}
