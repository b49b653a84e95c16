/**
 * Pull-request files: the paginated listing, the selection of files worth reading (globs, patch
 * prefilter), and one batched GraphQL request for their contents at head and base.
 */
import type { ProbotOctokit } from "probot";

export interface PrFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  patch?: string;
  previous_filename?: string;
}

/** GitHub stops listing a pull request's files at 3,000. */
export const GITHUB_FILE_LIST_CAP = 3000;

export async function listPrFiles(
  octokit: ProbotOctokit,
  ref: { owner: string; repo: string; pull_number: number },
): Promise<PrFile[]> {
  return (await octokit.paginate(octokit.rest.pulls.listFiles, { ...ref, per_page: 100 })) as PrFile[];
}

export type { Skip } from "../report/check.js";

/** A changed line adds an import: late-patching rules may fire even if no needle is in the patch. */
function addsImport(patch: string): boolean {
  for (const line of patch.split("\n")) {
    if (!line.startsWith("+")) continue;
    const t = line.slice(1).trimStart();
    if (t.startsWith("import ") || t.startsWith("from ")) return true;
  }
  return false;
}

/**
 * Which files to read. A file is read when its patch may matter to a rule (the registry's
 * prefilter and hunk needles) or adds an import
 * (its full text is checked again after reading); files without a patch (too large for the
 * listing) are read too, since nothing can be told from the listing.
 */
export function selectFiles(
  files: PrFile[],
  wanted: (path: string) => boolean,
  mayMatter: (patch: string) => boolean,
): PrFile[] {
  const read: PrFile[] = [];
  for (const f of files) {
    if (!wanted(f.filename)) continue;
    if (f.status === "removed") continue;
    if (f.patch === undefined) {
      read.push(f);
      continue;
    }
    if (mayMatter(f.patch) || addsImport(f.patch)) read.push(f);
  }
  return read;
}

export interface FileContents {
  head: string | null;
  /** Base version (null for added files or when unavailable). */
  base: string | null;
  /** Why the head text is missing (binary, too large). */
  missing?: string;
}

interface BlobResult {
  text?: string | null;
  isBinary?: boolean | null;
  byteSize?: number;
}

/** Where to read: the repository (the base one, also for forks) and the two commits. */
export interface Revisions {
  owner: string;
  repo: string;
  headSha: string;
  baseSha: string;
}

export interface Contents {
  files: Map<string, FileContents>;
  /** Head text of extra paths (the config file, project files), null when absent. */
  extra: Map<string, string | null>;
  /** Base text of extra paths asked for at the base too, null when absent. */
  extraBase: Map<string, string | null>;
}

/** Files per GraphQL request (each brings its head and base blobs). */
export const FILES_PER_QUERY = 50;

/**
 * Head (and base) contents of the files, by commit expression, in GraphQL requests of 50 files.
 * `extraPaths` are read at the head, `extraBasePaths` at the base, both with the first request.
 */
export async function fetchContents(
  octokit: ProbotOctokit,
  at: Revisions,
  files: PrFile[],
  extraPaths: string[] = [],
  extraBasePaths: string[] = [],
): Promise<Contents> {
  const all: Contents = { files: new Map(), extra: new Map(), extraBase: new Map() };
  for (let i = 0; i === 0 || i < files.length; i += FILES_PER_QUERY) {
    const first = i === 0;
    const part = await fetchContentsOnce(
      octokit,
      at,
      files.slice(i, i + FILES_PER_QUERY),
      first ? extraPaths : [],
      first ? extraBasePaths : [],
    );
    for (const [k, v] of part.files) all.files.set(k, v);
    for (const [k, v] of part.extra) all.extra.set(k, v);
    for (const [k, v] of part.extraBase) all.extraBase.set(k, v);
  }
  return all;
}

async function fetchContentsOnce(
  octokit: ProbotOctokit,
  at: Revisions,
  files: PrFile[],
  extraPaths: string[],
  extraBasePaths: string[],
): Promise<Contents> {
  const { headSha, baseSha } = at;
  const out = new Map<string, FileContents>();
  const extra = new Map<string, string | null>();
  const extraBase = new Map<string, string | null>();
  if (files.length === 0 && extraPaths.length === 0 && extraBasePaths.length === 0)
    return { files: out, extra, extraBase };
  const vars: Record<string, string> = { owner: at.owner, repo: at.repo };
  const fields: string[] = [];
  const decls: string[] = ["$owner: String!", "$repo: String!"];
  const blob = "... on Blob { text isBinary byteSize }";
  files.forEach((f, i) => {
    vars[`h${i}`] = `${headSha}:${f.filename}`;
    decls.push(`$h${i}: String!`);
    fields.push(`h${i}: object(expression: $h${i}) { ${blob} }`);
    if (f.status !== "added") {
      vars[`b${i}`] = `${baseSha}:${f.previous_filename ?? f.filename}`;
      decls.push(`$b${i}: String!`);
      fields.push(`b${i}: object(expression: $b${i}) { ${blob} }`);
    }
  });
  extraPaths.forEach((p, i) => {
    vars[`x${i}`] = `${headSha}:${p}`;
    decls.push(`$x${i}: String!`);
    fields.push(`x${i}: object(expression: $x${i}) { ${blob} }`);
  });
  extraBasePaths.forEach((p, i) => {
    vars[`y${i}`] = `${baseSha}:${p}`;
    decls.push(`$y${i}: String!`);
    fields.push(`y${i}: object(expression: $y${i}) { ${blob} }`);
  });
  const query = `query(${decls.join(", ")}) { repository(owner: $owner, name: $repo) { ${fields.join(" ")} } }`;
  const data = (await octokit.graphql(query, vars)) as { repository: Record<string, BlobResult | null> };
  const r = data.repository ?? {};
  files.forEach((f, i) => {
    const h = r[`h${i}`];
    const b = r[`b${i}`];
    const missing = !h
      ? "not found at the head commit"
      : h.isBinary
        ? "binary content"
        : h.text == null
          ? "too large to read"
          : undefined;
    out.set(f.filename, {
      head: missing ? null : (h?.text ?? null),
      base: b?.text ?? null,
      ...(missing ? { missing } : {}),
    });
  });
  extraPaths.forEach((p, i) => {
    extra.set(p, r[`x${i}`]?.text ?? null);
  });
  extraBasePaths.forEach((p, i) => {
    extraBase.set(p, r[`y${i}`]?.text ?? null);
  });
  return { files: out, extra, extraBase };
}
