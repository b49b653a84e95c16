/**
 * The configuration per repository, cached: one lookup per repository and TTL instead of one per
 * event (most repositories have no file, and each lookup cost a request). A push to a
 * repository's default branch drops its entry, and a push to the organisation's `.github`
 * repository drops every entry of that owner. With Redis, a push bumps a version that every
 * replica checks before it uses its entry, so no replica acts on a stale configuration.
 * When an entry that is the repository's own file expires, it is revalidated with a conditional
 * request (ETag): a 304 keeps it for another TTL without a GraphQL lookup or a rate-limit charge.
 */
import type { ProbotOctokit } from "probot";
import type { ConfigResult } from "../config/schema.js";
import { type ConfigSource, githubConfigSource, type LoadedConfig } from "./config-source.js";

/** Where versions live across replicas (Redis), or nowhere (one process). */
export interface VersionStore {
  get(keys: string[]): Promise<(string | null)[]>;
  bump(key: string): Promise<void>;
}

const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  version: string;
  result: ConfigResult;
  /** The repository's own file alone (no organisation fallback, no `_extends`): revalidated by ETag. */
  ownFileOnly: boolean;
  etag: string | null;
}

export class ConfigCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly versions: VersionStore | null = null,
    private readonly source: ConfigSource = githubConfigSource,
  ) {}

  private static keys(owner: string, repo: string): { repo: string; owner: string } {
    return { repo: `${owner}/${repo}`.toLowerCase(), owner: `${owner}/*`.toLowerCase() };
  }

  async get(octokit: ProbotOctokit, repo: { owner: string; repo: string }): Promise<ConfigResult> {
    if (this.ttlMs <= 0) return (await this.source.load(octokit, repo)).result;
    const k = ConfigCache.keys(repo.owner, repo.repo);
    const version = this.versions
      ? (await this.versions.get([k.repo, k.owner])).map((v) => v ?? "0").join(":")
      : "";
    const hit = this.entries.get(k.repo);
    if (hit && hit.version === version) {
      if (Date.now() - hit.at < this.ttlMs) return hit.result;
      if (hit.ownFileOnly) {
        const read = await this.source.readOwnFile(octokit, repo, hit.etag);
        if (read.status === "unchanged") {
          hit.at = Date.now();
          return hit.result;
        }
        if (read.status === "changed")
          return this.keep(k.repo, version, await this.source.fromText(octokit, repo, read.text), read.etag);
      }
    }
    return this.keep(k.repo, version, await this.source.load(octokit, repo), null);
  }

  private keep(key: string, version: string, loaded: LoadedConfig, etag: string | null): ConfigResult {
    this.entries.delete(key);
    this.entries.set(key, { at: Date.now(), version, ...loaded, etag: loaded.ownFileOnly ? etag : null });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    return loaded.result;
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
