/**
 * Pull requests linked to an issue: GitHub's timeline records a `cross-referenced` event when a
 * pull request mentions the issue ("Fixes #12", "see #12"). One request, the first page of the
 * timeline; a pull request closed without merging is not a change anyone still proposes.
 * Best effort: a timeline that cannot be read (no permission, gone, rate limited) lists nothing.
 */
import type { ProbotOctokit } from "probot";
import type { IssueRef } from "./sticky.js";

/** Linked pull requests read at most (the newest), and characters of each one's description. */
export const MAX_LINKED = 10;
const BODY_CHARS = 8 * 1024;
const TIMELINE_TIMEOUT_MS = 5000;

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
  let events: unknown[];
  try {
    const r = await octokit.rest.issues.listEventsForTimeline({
      owner: ref.owner,
      repo: ref.repo,
      issue_number: ref.issue_number,
      per_page: 100,
      request: { signal: AbortSignal.timeout(TIMELINE_TIMEOUT_MS) },
    });
    events = Array.isArray(r.data) ? r.data : [];
  } catch {
    return [];
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
