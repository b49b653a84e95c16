/** Labels for high-confidence findings: created with a colour and description when missing. */
import type { ProbotOctokit } from "probot";

const COLOR = "d93f0b";

export { labelsFor } from "../config/issue-policy.js";

/**
 * Labels known to exist, by repository: one creation per label and repository even when many
 * issues of one repository are labelled at once (the first creates, the others wait for it).
 */
export class LabelCache {
  private readonly known = new Map<string, Promise<void>>();

  /** `shared`: the same across replicas (Redis), so that one of them creates the label. */
  constructor(private readonly shared: SharedOnce | null = null) {}

  /** Run `create` once per repository and label; concurrent callers share its outcome. */
  async ensure(repo: string, name: string, create: () => Promise<void>): Promise<void> {
    const key = `${repo}\u0000${name.toLowerCase()}`;
    let p = this.known.get(key);
    if (p === undefined) {
      const shared = this.shared;
      p = shared ? shared.once(`label:${repo}:${name.toLowerCase()}`, create) : create();
      this.known.set(key, p);
      if (this.known.size > 20_000) this.known.delete(this.known.keys().next().value as string);
      p.catch(() => this.known.delete(key)); // a failure is retried by the next caller
    }
    await p;
  }
}

/** Something done once across replicas: the first caller does it, the others wait for it. */
export interface SharedOnce {
  once(key: string, work: () => Promise<void>): Promise<void>;
}

/**
 * Add the missing labels to the issue. Labels already on the issue are left alone, and no
 * label is ever removed (a human may have added it).
 */
export async function applyLabels(
  octokit: ProbotOctokit,
  ref: { owner: string; repo: string; issue_number: number },
  wanted: string[],
  present: string[],
  cache: LabelCache,
): Promise<string[]> {
  const have = new Set(present.map((p) => p.toLowerCase()));
  const missing = wanted.filter((w) => !have.has(w.toLowerCase()));
  if (missing.length === 0) return [];
  const repoKey = `${ref.owner}/${ref.repo}`.toLowerCase();
  for (const name of missing)
    await cache.ensure(repoKey, name, async () => {
      try {
        await octokit.rest.issues.createLabel({
          owner: ref.owner,
          repo: ref.repo,
          name,
          color: COLOR,
          description: "async-doctor: a known Python concurrency-library conflict",
        });
      } catch (e) {
        // 422 already_exists: fine, somebody made it already.
        if ((e as { status?: number }).status !== 422) throw e;
      }
    });
  await octokit.rest.issues.addLabels({ ...ref, labels: missing });
  return missing;
}
