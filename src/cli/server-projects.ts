/**
 * What the language server knows of each project folder: its settings file and the folder
 * scanned as `scan` would scan it (its manifests and run configs, the module-level patches and
 * the modules they load), started on first need and kept until a file it read changes. A module
 * being edited is diagnosed with the context that scan gives it; a manifest gets that scan's
 * findings on its lines.
 */
import { ruleFilter } from "../config/rule-filter.js";
import { RULE_IDS } from "../diagnosis/catalog.js";
import type { Engine, RuleFilter } from "../diagnosis/engine.js";
import type { PatchedRun } from "../diagnosis/project/runs.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { cliConfig, configProblem, settingsPaths } from "./config.js";
import { projectHome } from "./file-project.js";
import type { FilterOptions } from "./path-filter.js";
import { settled } from "./project-findings.js";
import { ownerOf } from "./project-roots.js";
import { codeRuns, contextOf, rel, type ScannedProject } from "./project-scan.js";
import { type ScanFacts, scanPathsParallel } from "./scan-pool.js";

interface FolderScan extends ScanFacts {
  findings: CodeFinding[];
  /** The runs module-level patches give, per project (computed on first need). */
  runs: Map<ScannedProject, Map<string, PatchedRun>>;
}

/** One project folder: its settings, and its scan once asked for. */
export class Workspace {
  private scanned: Promise<FolderScan> | null = null;

  constructor(
    /** The project folder (null: none above the document). */
    readonly home: string | null,
    readonly filter: RuleFilter,
    private readonly paths: FilterOptions,
  ) {}

  private scan(): Promise<FolderScan> {
    const home = this.home;
    if (home === null) throw new Error("no project folder");
    if (this.scanned === null) {
      const facts: ScanFacts = { projects: [], code: { patches: [], calls: [] } };
      const disabled = RULE_IDS.filter((id) => this.filter.enabled?.(id) === false);
      this.scanned = scanPathsParallel([home], { disabled, filter: this.paths, facts }).then(
        (report) => ({ ...facts, findings: report.findings, runs: new Map() }),
        (e: unknown) => {
          this.scanned = null; // the next document asks again
          throw e;
        },
      );
    }
    return this.scanned;
  }

  /** A manifest's or run config's findings, as `scan` of its project gives them. */
  async projectFileFindings(path: string): Promise<CodeFinding[]> {
    if (this.home === null) return [];
    return (await this.scan()).findings.filter((f) => f.file === path);
  }

  /** A module's findings, its text as the editor holds it, with the context its project gives. */
  async moduleFindings(engine: Engine, path: string, text: string): Promise<CodeFinding[]> {
    if (this.home === null) return engine.scanSource(path, text, this.filter).findings;
    const s = await this.scan();
    const owner = ownerOf(s.projects, path);
    if (owner === undefined) return engine.scanSource(path, text, this.filter).findings;
    let runs = s.runs.get(owner);
    if (runs === undefined) {
      runs = codeRuns(owner, s.code.patches);
      s.runs.set(owner, runs);
    }
    const file = rel(owner.root, path);
    const context = contextOf(owner, file, Buffer.from(text), runs.get(file));
    // What the project does elsewhere (an `init_gevent()` in a post_fork hook) settles findings here.
    return settled(s.projects, s.code, engine.scanSource(path, text, this.filter, context).findings);
  }
}

/** The workspaces of the open documents, one per project folder. */
export class Workspaces {
  private readonly byHome = new Map<string, Promise<Workspace>>();
  /** Each folder's project folder: a document is diagnosed on every pause in typing. */
  private readonly homes = new Map<string, string | null>();

  /** `texts`: the open manifests and run configs, which stand in for the files on disk. */
  of(path: string, texts: ReadonlyMap<string, string>): Promise<Workspace> {
    const home = projectHome(path, this.homes);
    const key = home ?? "";
    let hit = this.byHome.get(key);
    if (hit === undefined) {
      hit = open(home, path, texts);
      this.byHome.set(key, hit);
    }
    return hit;
  }

  /** A file a scan read changed: read everything again when next asked. */
  forget(): void {
    this.byHome.clear();
    this.homes.clear();
  }
}

async function open(
  home: string | null,
  path: string,
  texts: ReadonlyMap<string, string>,
): Promise<Workspace> {
  const settings = await cliConfig(null, path).catch(() => null);
  // A settings file that does not validate leaves every rule on (the CLI says why on `scan`).
  const valid = settings !== null && configProblem(settings) === null;
  const paths: FilterOptions = valid
    ? { ...settingsPaths(settings), texts }
    : { include: [], exclude: [], gitignore: true, tests: false, texts };
  return new Workspace(home, valid ? ruleFilter(settings.config) : {}, paths);
}
