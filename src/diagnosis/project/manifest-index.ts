/**
 * Where a manifest's entries sit, and how many are read: an index of the text built once per
 * file and kind of lookup (linear), and a capped list of entries.
 */
import { type Dependency, normalizeName } from "./requirement.js";

/**
 * Entries read from one manifest: a big project's lock file has a few hundred (Home Assistant's
 * requirements_all.txt about 1,500). The rest are counted and said, not read.
 */
export const MAX_MANIFEST_ENTRIES = 5000;

/**
 * Where entries sit in a manifest's text, indexed in one pass per kind of lookup (built when first
 * asked): every entry's line is then a map read, never a rescan of the file.
 */
export class LineIndex {
  private quoted: Map<string, number> | null = null;
  private keys: Map<string, number> | null = null;
  private jsonKeys: Map<string, number> | null = null;
  private lockNames: Map<string, number[]> | null = null;

  constructor(private readonly lines: readonly string[]) {}

  /** Where a PEP 508 string sits: the first line with a quoted string that starts with it. */
  stringLine(raw: string): number {
    if (this.quoted === null) {
      const index = new Map<string, number>();
      this.lines.forEach((line, i) => {
        for (let q = nextQuote(line, 0); q >= 0; ) {
          const close = line.indexOf(line[q] as string, q + 1);
          const end = close < 0 ? line.length : close;
          const key = line.slice(q + 1, Math.min(end, q + 1 + QUOTED_KEY));
          if (!index.has(key)) index.set(key, i + 1);
          q = nextQuote(line, end + 1);
        }
      });
      this.quoted = index;
    }
    return this.quoted.get(raw.trim().slice(0, QUOTED_KEY)) ?? 1;
  }

  /** Where a `name = ...` table entry sits (Poetry, Pipfile): the first line with that key. */
  keyLine(name: string): number {
    if (this.keys === null) {
      const index = new Map<string, number>();
      this.lines.forEach((line, i) => {
        const eq = line.indexOf("=");
        if (eq <= 0) return;
        const key = normalizeName(unquote(line.slice(0, eq).trim()));
        if (key && !index.has(key)) index.set(key, i + 1);
      });
      this.keys = index;
    }
    return this.keys.get(normalizeName(name)) ?? 1;
  }

  /** Where a JSON object key sits (Pipfile.lock): the first line that starts with `"key"`. */
  jsonKeyLine(key: string): number {
    if (this.jsonKeys === null) {
      const index = new Map<string, number>();
      this.lines.forEach((line, i) => {
        const t = line.trimStart();
        if (!t.startsWith('"')) return;
        const close = t.indexOf('"', 1);
        const k = close < 0 ? "" : t.slice(1, close);
        if (k && !index.has(k)) index.set(k, i + 1);
      });
      this.jsonKeys = index;
    }
    return this.jsonKeys.get(key) ?? 1;
  }

  /** The lines of a lock file's `name = "x"` entries, in order. */
  lockNameLines(name: string): readonly number[] {
    if (this.lockNames === null) {
      const index = new Map<string, number[]>();
      this.lines.forEach((line, i) => {
        const t = line.trim();
        if (!t.startsWith('name = "') || !t.endsWith('"')) return;
        const n = t.slice(8, -1);
        const list = index.get(n);
        if (list) list.push(i + 1);
        else index.set(n, [i + 1]);
      });
      this.lockNames = index;
    }
    return this.lockNames.get(name) ?? [];
  }
}

/** How much of a quoted string identifies it (a requirement string is shorter than this). */
const QUOTED_KEY = 60;

function nextQuote(line: string, from: number): number {
  const d = line.indexOf('"', from);
  const s = line.indexOf("'", from);
  return d < 0 ? s : s < 0 ? d : Math.min(d, s);
}

function unquote(key: string): string {
  const first = key[0];
  return (first === '"' || first === "'") && key.endsWith(first) && key.length >= 2 ? key.slice(1, -1) : key;
}

/** The first line number in `sorted` after `after`, or null. */
export function firstAfter(sorted: readonly number[], after: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > after) hi = mid;
    else lo = mid + 1;
  }
  return lo < sorted.length ? (sorted[lo] as number) : null;
}

/** A manifest's entries, capped: past `MAX_MANIFEST_ENTRIES` they are counted, not read. */
export class Entries {
  readonly deps: Dependency[] = [];
  dropped = 0;

  constructor(readonly index: LineIndex) {}

  get full(): boolean {
    return this.deps.length >= MAX_MANIFEST_ENTRIES;
  }

  /** Add the entry that `make` builds, unless the manifest is full (then `make` is not called). */
  add(make: () => Dependency | null): void {
    if (this.full) {
      this.dropped++;
      return;
    }
    const d = make();
    if (d) this.deps.push(d);
  }
}
