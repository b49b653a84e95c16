/** Labels for high-confidence findings: created with a colour and description when missing. */
import type { ProbotOctokit } from "probot";
import type { Config } from "../config/schema.js";

const COLOR = "d93f0b";

export function labelsFor(config: Config, rules: string[]): string[] {
  const names = new Set<string>();
  const per = config.issues.labels.rules as Record<string, string | undefined>;
  for (const r of rules) names.add(per[r] ?? config.issues.labels.default);
  return [...names];
}

/** Per-process memory of labels known to exist, by repository. */
export class LabelCache {
  private readonly known = new Map<string, Set<string>>();
  has(repo: string, name: string): boolean {
    return this.known.get(repo)?.has(name.toLowerCase()) ?? false;
  }
  add(repo: string, name: string): void {
    let s = this.known.get(repo);
    if (!s) {
      s = new Set();
      this.known.set(repo, s);
    }
    s.add(name.toLowerCase());
    if (this.known.size > 5000) this.known.delete(this.known.keys().next().value as string);
  }
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
  for (const name of missing) {
    if (cache.has(repoKey, name)) continue;
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
    cache.add(repoKey, name);
  }
  await octokit.rest.issues.addLabels({ ...ref, labels: missing });
  return missing;
}
