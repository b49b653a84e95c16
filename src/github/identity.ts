/**
 * The App's own bot account. Comments are ours only when this account wrote them: another App's
 * comment that happens to carry our marker is never edited or deleted.
 */
import type { Probot } from "probot";

export interface BotIdentity {
  /** `<app-slug>[bot]`. */
  login: string;
}

/** Resolves the identity (once per process; a failure is retried on the next call). */
export type IdentitySource = () => Promise<BotIdentity>;

/** From `GET /app` with the App's JWT. */
export function appIdentity(app: Probot): IdentitySource {
  let cached: Promise<BotIdentity> | null = null;
  return () => {
    cached ??= (async () => {
      const gh = await app.auth();
      const { data } = await gh.rest.apps.getAuthenticated();
      const slug = (data as { slug?: string } | null)?.slug;
      if (!slug) throw new Error("GET /app returned no slug: cannot tell which comments are ours");
      return { login: `${slug}[bot]` };
    })().catch((e: unknown) => {
      cached = null;
      throw e;
    });
    return cached;
  };
}

/** A fixed identity (configured, or in tests). */
export function fixedIdentity(login: string): IdentitySource {
  const me = { login };
  return async () => me;
}

/** Was this written by us? */
export function isMine(user: { login?: string | null } | null | undefined, me: BotIdentity): boolean {
  return !!user && user.login === me.login;
}
