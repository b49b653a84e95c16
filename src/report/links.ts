/** Where rule pages live, for links in comments, checks and SARIF. */
import { ruleInfo } from "../diagnosis/catalog.js";

export const HOMEPAGE = "https://github.com/async-doctor/async-doctor";
export const DEFAULT_DOCS_BASE = `${HOMEPAGE}/blob/main/docs/rules/`;

export interface RenderOptions {
  /** Base URL of the rule pages (ends with a slash). */
  docsBase?: string;
  /** Earlier issues of the repository with the same diagnosis (`issues.related`). */
  related?: readonly number[];
}

export function ruleDocUrl(id: string, opts: RenderOptions = {}): string {
  const page = ruleInfo(id)?.docPath.slice("docs/rules/".length) ?? `${id}.md`;
  return `${opts.docsBase ?? DEFAULT_DOCS_BASE}${page}`;
}
