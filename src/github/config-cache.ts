/**
 * The configuration per repository, cached: one lookup per repository and TTL instead of one per
 * event (most repositories have no file, and each lookup cost a request). A push to a
 * repository's default branch drops its entry, and a push to the organisation's `.github`
 * repository drops every entry of that owner. With Redis, a push bumps a version that every
 * replica checks before it uses its entry, so no replica acts on a stale configuration.
 */
import type { ProbotOctokit } from "probot";
import type { ConfigResult } from "../config/schema.js";
import { loadRepoConfig } from "./config-source.js";

/** Where versions live across replicas (Redis), or nowhere (one process). */
export interface VersionStore {
  get(keys: string[]): Promise<(string | null)[]>;
  bump(key: string): Promise<void>;
}

const MAX_ENTRIES = 10_000;

export class ConfigCache {
  private readonly entries = new Map<string, { at: number; version: string; result: ConfigResult }>();

  constructor(
    private readonly ttlMs: number,
    private readonly versions: VersionStore | null = null,
    private readonly load: typeof loadRepoConfig = loadRepoConfig,
  ) {}

  private static keys(owner: string, repo: string): { repo: string; owner: string } {
    return { repo: `${owner}/${repo}`.toLowerCase(), owner: `${owner}/*`.toLowerCase() };
  }

  async get(octokit: ProbotOctokit, repo: { owner: string; repo: string }): Promise<ConfigResult> {
    if (this.ttlMs <= 0) return this.load(octokit, repo);
    const k = ConfigCache.keys(repo.owner, repo.repo);
    const version = this.versions
      ? (await this.versions.get([k.repo, k.owner])).map((v) => v ?? "0").join(":")
      : "";
    const hit = this.entries.get(k.repo);
    if (hit && Date.now() - hit.at < this.ttlMs && hit.version === version) return hit.result;
    const result = await this.load(octokit, repo);
    this.entries.delete(k.repo);
    this.entries.set(k.repo, { at: Date.now(), version, result });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return result;
  }

  /** A push to `owner/repo`'s default branch: its configuration may have changed. */
  async pushed(owner: string, repo: string): Promise<void> {
    const k = ConfigCache.keys(owner, repo);
    const orgWide = repo.toLowerCase() === ".github";
    if (orgWide) {
      const prefix = `${owner}/`.toLowerCase();
      for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
    } else this.entries.delete(k.repo);
    await this.versions?.bump(orgWide ? k.owner : k.repo);
  }
}
