/**
 * The project's own modules and the imports between them: which file an import names (packages,
 * relative imports, `src/` layouts, the folder of a script run directly), and the import chains
 * that load one module from another. Import lines are read line by line (no parse), in linear
 * time (import-lines.ts): it is a graph for following imports, not a source of findings;
 * findings are anchored by the parsed facts of the file they are on.
 */
import { type ImportLine, readImportLines } from "./import-lines.js";

export type { ImportLine } from "./import-lines.js";

/** One step of an import chain: the statement in `file` that loads the next module. */
export interface ImportStep {
  file: string;
  line: number;
  text: string;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

function join(dir: string, rest: string): string {
  return dir === "" ? rest : rest === "" ? dir : `${dir}/${rest}`;
}

const MAX_VISITED = 20_000;

/**
 * The project's Python modules (project-relative paths) and the imports between them. Sources are
 * read on demand through `read` (null: unreadable) and each is read once.
 */
export class ModuleGraph {
  private readonly paths: ReadonlySet<string>;
  private readonly importsOf = new Map<string, ImportLine[]>();
  private readonly marked = new Set<string>();
  private readonly chains = new Map<string, ImportStep[] | null>();

  /** `read` gives a module's text or bytes (null: unreadable). */
  constructor(
    paths: Iterable<string>,
    private readonly read: (path: string) => string | Uint8Array | null,
  ) {
    this.paths = new Set(paths);
  }

  /** Mark a module (or not): the caller's note, from a read it made, of whether it may matter. */
  mark(path: string, marked: boolean): void {
    if (marked) this.marked.add(path);
    else this.marked.delete(path);
  }

  /** Was the module marked? */
  isMarked(path: string): boolean {
    return this.marked.has(path);
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  imports(path: string): ImportLine[] {
    let list = this.importsOf.get(path);
    if (list === undefined) {
      const source = this.paths.has(path) ? this.read(path) : null;
      list = source === null ? [] : readImportLines(source);
      this.importsOf.set(path, list);
    }
    return list;
  }

  /** The file of module `dotted` under `base` (a module file or a package's `__init__`). */
  private moduleAt(base: string, dotted: string): string | null {
    const rel = join(base, dotted.split(".").join("/"));
    for (const candidate of [`${rel}.py`, `${rel}/__init__.py`, `${rel}.pyi`, `${rel}/__init__.pyi`])
      if (candidate !== ".py" && this.paths.has(candidate)) return candidate;
    return null;
  }

  /** The folder above the topmost package holding `path` (the `sys.path` entry it is imported from). */
  packageRoot(path: string): string {
    let dir = dirOf(path);
    while (dir !== "" && this.paths.has(`${dir}/__init__.py`)) dir = dirOf(dir);
    return dir;
  }

  /**
   * The project files an import loads: the module it names and, for `from m import x`, the
   * submodule `m.x` when there is one. Absolute imports are looked up from the importing file's
   * package root, the extra `roots` (a script's folder), the project root and `src/`.
   */
  resolve(from: string, imp: ImportLine, roots: readonly string[] = []): string[] {
    const bases: string[] = [];
    if (imp.level > 0) {
      let base = dirOf(from);
      for (let up = 1; up < imp.level; up++) {
        if (base === "") return [];
        base = dirOf(base);
      }
      bases.push(base);
    } else {
      for (const b of [this.packageRoot(from), ...roots, "", "src"]) if (!bases.includes(b)) bases.push(b);
    }
    for (const base of bases) {
      const out: string[] = [];
      const mod =
        imp.module === ""
          ? this.paths.has(join(base, "__init__.py"))
            ? join(base, "__init__.py")
            : null
          : this.moduleAt(base, imp.module);
      if (mod !== null) out.push(mod);
      for (const name of imp.names) {
        if (name === "*") continue;
        const sub = this.moduleAt(base, imp.module === "" ? name : `${imp.module}.${name}`);
        if (sub !== null && !out.includes(sub)) out.push(sub);
      }
      if (out.length > 0) return out;
    }
    return [];
  }

  /**
   * Every project module that `entry` loads from line `after` on, with the import chain from
   * the entry to it (breadth first: the shortest chain). The entry's folder is a root, as when
   * it runs as a script.
   */
  reachable(entry: string, after = 0): Map<string, ImportStep[]> {
    const roots = [dirOf(entry)];
    const out = new Map<string, ImportStep[]>();
    const queue: { path: string; chain: ImportStep[] }[] = [{ path: entry, chain: [] }];
    const seen = new Set([entry]);
    while (queue.length > 0 && seen.size < MAX_VISITED) {
      const { path, chain } = queue.shift() as { path: string; chain: ImportStep[] };
      for (const imp of this.imports(path)) {
        if (path === entry && imp.line <= after) continue;
        for (const target of this.resolve(path, imp, roots)) {
          if (seen.has(target)) continue;
          seen.add(target);
          const next = [...chain, { file: path, line: imp.line, text: imp.text }];
          out.set(target, next);
          queue.push({ path: target, chain: next });
        }
      }
    }
    return out;
  }

  /**
   * The shortest import chain from `entry` (from line `after` on) to an import of one of
   * `packages` (top-level names), in the entry or a project module it loads; the last step is
   * that import. Null when none is found.
   */
  chainTo(entry: string, after: number, packages: ReadonlySet<string>): ImportStep[] | null {
    const own = (path: string): ImportStep | null => {
      const imp = this.imports(path).find(
        (i) =>
          (path !== entry || i.line > after) && i.level === 0 && packages.has(i.module.split(".")[0] ?? ""),
      );
      return imp ? { file: path, line: imp.line, text: imp.text } : null;
    };
    const first = own(entry);
    if (first) return [first];
    const reached = [...this.reachable(entry, after)].sort((a, b) => a[1].length - b[1].length);
    for (const [path, chain] of reached) {
      const last = own(path);
      if (last) return [...chain, last];
    }
    return null;
  }

  /**
   * The chain by which `path` imports one of `packages` (top-level names) unconditionally when it
   * loads: its own column-0 import, or one of a project module it imports at column 0 (up to
   * `depth` modules deep). The last step is the import of the package.
   */
  topLevelChain(path: string, packages: ReadonlySet<string>): ImportStep[] | null {
    const key = `${[...packages].join(",")}\u0000${path}`;
    let hit = this.chains.get(key);
    if (hit === undefined) {
      hit = this.chainFrom(path, packages, 4, new Set());
      this.chains.set(key, hit);
    }
    return hit;
  }

  private chainFrom(
    path: string,
    packages: ReadonlySet<string>,
    depth: number,
    seen: Set<string>,
  ): ImportStep[] | null {
    if (seen.has(path) || seen.size > MAX_VISITED) return null;
    seen.add(path);
    const mine = this.imports(path).filter((i) => i.topLevel);
    for (const imp of mine)
      if (imp.level === 0 && packages.has(imp.module.split(".")[0] ?? ""))
        return [{ file: path, line: imp.line, text: imp.text }];
    if (depth <= 0) return null;
    for (const imp of mine)
      for (const target of this.resolve(path, imp)) {
        const rest = this.chainFrom(target, packages, depth - 1, seen);
        if (rest) return [{ file: path, line: imp.line, text: imp.text }, ...rest];
      }
    return null;
  }
}
