import { literal } from "../inline.js";
import { type Dependencies, dependenciesOf, type VersionFact, versionIn } from "../project/dependencies.js";
import {
  CARRIERS,
  DNSPYTHON_IMPORTS_HTTPX,
  HTTPCORE_CATCHES,
  TRIO_IMPORTERS,
  TRIO_LINUX_IMPORT_FAILS,
} from "../project/knowledge.js";
import type { ImportStep } from "../project/modules.js";
import type { FileFacts } from "../python/facts.js";
import {
  type CodeFindingDraft,
  defineRule,
  type ProjectFacts,
  type ProjectFindingDraft,
  type ProjectPatch,
} from "../rule.js";
import type { Evidence } from "../types.js";
import { bumpPin, onDependency, patchWords, projectPatch, versionWords } from "./shared/manifest.js";
import { importOf, needs, PATCH_NEEDS, PATCHER_NEEDLES } from "./shared/patcher.js";
import { onPatch, patchedWhere, processPatch, runEvidence } from "./shared/process.js";

export default defineRule({
  id: "gevent-trio-same-process",
  order: 150,
  title: "trio and gevent/eventlet in one process",
  needs: needs(PATCH_NEEDS, {
    source: [PATCHER_NEEDLES, ["trio", "httpx", "httpcore", "openai", "anthropic", "discord_webhook"]],
    calls: ["trio.run"],
  }),
  code: {
    detect(facts) {
      const patch = processPatch(facts);
      if (!patch) return [];
      const at = importOf(facts, "trio") ?? facts.calls.find((c) => c.qualified === "trio.run");
      if (!at) return importerUnderPatch(facts);
      const who = patch.kind;
      return [
        onPatch(
          facts,
          at,
          patch,
          patch.inFile && at.line < patch.inFile.line
            ? `trio is imported before ${who} patches (${patchedWhere(patch)}). That only avoids the import-time crash: \`trio.run()\` still fails in a patched process. Keep trio and ${who} in separate processes.`
            : `trio is used in a process patched by ${who} (${patchedWhere(patch)}): ${importFails(facts, who)} and \`trio.run()\` cannot work. Keep trio and ${who} in separate processes.`,
        ),
      ];
    },
  },
  project: {
    detect: fromDependencies,
  },
  docs: {
    what: "A patch (gevent `patch_all()`/`patch_*()`, `eventlet.monkey_patch()`, `import grequests`, `import locust`) and an import of `trio` (any submodule, module level or in a function, not under `TYPE_CHECKING`) or a `trio.run()` call. Reported on the trio import. A module that a run config loads patched (gunicorn's gevent worker, celery's gevent pool, uWSGI's gevent loop) counts as patched, at `medium`, and so does a module that a module-level patch imports (in a folder scan; the message gives the import chain).\n\nWith the project's versions known (a folder scan, or a pull request with its manifests), an import of httpx, httpcore, openai, anthropic or discord_webhook in a patched module is reported too when those versions make it fail: httpcore 0.17.2 – 1.0.5 with trio installed, or httpcore ≥ 1.0.6 with trio 0.17 – 0.25 (Linux). Unpinned versions give no code finding (the manifest finding says what would settle it).\n\nManifests: in a project that runs patched, trio installed (declared, locked, or an extra such as `httpx[trio]`) next to httpcore (declared, locked, or through httpx, openai, anthropic) whose version lets trio's import error escape: httpcore 0.17.2 – 1.0.5 on any platform (reported on the httpcore line, with the edit to 1.0.6 for a pin); with httpcore ≥ 1.0.6, trio 0.17 – 0.25 (Linux's `AttributeError` still escapes; reported on the trio line). `high` when both versions are pinned or locked, `medium` otherwise, saying which version would settle it. A project that nothing runs patched but that installs eventlet and httpx, with dnspython ≥ 2.4 (or unpinned) and an httpcore/trio pair that fails: `medium` on the eventlet line — a bare `import eventlet` loads greendns, which imports dnspython (and so httpx → httpcore → trio) with a green `select`; the fixes are eventlet's own (uninstall it, `EVENTLET_NO_GREENDNS=yes`, `dnspython==2.3.0`). Under eventlet, upgrading trio is never offered (trio ≥ 0.26 fails on `GreenSocket` instead).",
    why: 'After the patch, `import trio` fails (`unsupported platform` on macOS, `select.epoll` missing on Linux). Before the patch ("import trio first"), the import works but `trio.run()` still fails in the patched process.',
    example: {
      lang: "python",
      code: "from gevent import monkey\nmonkey.patch_all()\n\nimport trio  # <- reported here",
    },
    fix: "Keep trio and gevent/eventlet in separate processes: pick one framework per process, or move one side into a worker service or a `multiprocessing` process started with `spawn`.",
    notMatched: "trio named only in strings or comments, and files with no patch.",
  },
});

/** Import names of trio and of the packages that import it (`discord-webhook` → `discord_webhook`). */
const TRIO_REACHING = new Set(
  ["trio", ...TRIO_IMPORTERS.map((e) => e.pkg), ...CARRIERS.keys()].map((n) => n.replace(/-/g, "_")),
);

/**
 * The way the project runs patched, preferring a patch whose process is seen importing trio or
 * one of its importers (with that import chain).
 */
function patchWithChain(p: ProjectFacts): { run: ProjectPatch | null; chain: ImportStep[] | null } {
  for (const run of p.patched) {
    const chain = p.importChain?.(run, TRIO_REACHING) ?? null;
    if (chain) return { run, chain };
  }
  return { run: projectPatch(p), chain: null };
}

/** "; after the patch, `main.py` line 4 loads `app.py`, whose line 1 imports httpx" in short: the chain. */
function chainWords(chain: ImportStep[] | null): string {
  const last = chain?.[chain.length - 1];
  if (!chain || !last) return "";
  const name = last.text.startsWith("from ")
    ? last.text.slice(5).split(" ")[0]
    : last.text.slice(7).split(/[\s,]/)[0];
  const through = chain
    .slice(0, -1)
    .map((s) => `${literal(s.file, 120)} line ${s.line}`)
    .join(", ");
  return `, whose process imports ${literal(name ?? "", 80)} after the patch (${through ? `${through}, then ` : ""}${literal(last.file, 120)} line ${last.line})`;
}

/**
 * What `import trio` raises on Linux in a patched process, by trio version: null when it imports
 * (gevent, trio ≥ 0.26; `trio.run()` still fails).
 */
function linuxImportError(trio: string, patcher: "gevent" | "eventlet"): string | null {
  if (versionIn(trio, "<0.17")) return "`NotImplementedError: unsupported platform`";
  // Under eventlet the module may be named `eventlet.green.select`.
  if (versionIn(trio, TRIO_LINUX_IMPORT_FAILS))
    return patcher === "eventlet"
      ? "`AttributeError: ... has no attribute 'epoll'`"
      : "`AttributeError: module 'select' has no attribute 'epoll'`";
  return patcher === "eventlet"
    ? "`AttributeError: type object 'GreenSocket' has no attribute 'sendmsg'`"
    : null;
}

/** The first trio whose import works on Linux under gevent. */
const TRIO_IMPORTS_ON_LINUX = "0.26.0";

/** Import names of httpcore and the packages that import it. */
const HTTPCORE_USERS = new Set(["httpcore", ...CARRIERS.keys()].map((n) => n.replace(/-/g, "_")));

/** How `import trio` fails, for the trio version the project pins when it does. */
function importFails(facts: FileFacts, who: "gevent" | "eventlet"): string {
  const deps = facts.context?.deps;
  const tv = deps ? dependenciesOf(deps).version("trio") : null;
  if (!tv) return "its import fails (`unsupported platform` on macOS, `select.epoll` missing on Linux)";
  const linux = linuxImportError(tv.version, who);
  return linux === null
    ? `its import fails on macOS (\`unsupported platform\`; on Linux, ${versionWords(tv)}, which imports)`
    : `its import fails (\`unsupported platform\` on macOS, ${linux} on Linux; ${versionWords(tv)})`;
}

/** What the project's versions say about `import httpx` in a process patched by `who`. */
type Verdict =
  /** httpcore 0.17.2 – 1.0.5: any error of `import trio` escapes (on the httpcore line). */
  | { kind: "escapes"; hc: VersionFact; tv: VersionFact | null; linux: string | null | undefined }
  /** httpcore ≥ 1.0.6 catches the macOS error; Linux's AttributeError still escapes (on the trio line). */
  | { kind: "linux"; hc: VersionFact; tv: VersionFact; linux: string }
  /** trio installed, an importer present, versions not pinned. */
  | { kind: "unknown"; chain: string };

function verdict(d: Dependencies, who: "gevent" | "eventlet"): Verdict | null {
  const trioInstalled = d.has("trio") || d.hasExtra("httpx", "trio") || d.hasExtra("httpcore", "trio");
  const carrier = ["httpcore", ...CARRIERS.keys()].find((name) => d.has(name));
  if (!trioInstalled || !carrier) return null;
  const hc = d.version("httpcore");
  const tv = d.version("trio");
  const linux = tv ? linuxImportError(tv.version, who) : undefined;
  // What this httpcore does with trio's import error (no entry: it does not import trio).
  const importer = hc && TRIO_IMPORTERS.find((e) => e.pkg === "httpcore" && versionIn(hc.version, e.range));
  if (hc && !importer) return null;
  if (hc && importer?.escapes === "all") return { kind: "escapes", hc, tv, linux };
  if (hc && tv) return linux?.startsWith("`AttributeError") ? { kind: "linux", hc, tv, linux } : null;
  return { kind: "unknown", chain: carrier === "httpcore" ? "httpcore" : `${carrier} → httpcore` };
}

/** "fails: `unsupported platform` on macOS and … on Linux", and the upgrade that fixes it. */
function escapeWords(v: Extract<Verdict, { kind: "escapes" }>, who: string): { fails: string; fix: string } {
  const { linux, tv } = v;
  const onLinux =
    linux === undefined
      ? ", and on Linux `select.epoll` missing with trio 0.17 – 0.25"
      : linux === null
        ? ` (on Linux, trio ${literal(tv?.version ?? "", 40)} still imports under ${who})`
        : ` and ${linux} on Linux`;
  const fix = linux?.includes("GreenSocket")
    ? `Upgrade httpcore to ≥ ${HTTPCORE_CATCHES} for macOS (on Linux, eventlet's \`AttributeError\` still escapes it), or drop trio if nothing runs it.`
    : `Upgrade httpcore to ≥ ${HTTPCORE_CATCHES}${linux?.includes("epoll") && who === "gevent" ? " and trio to ≥ 0.26" : ""}, or drop trio if nothing runs it.`;
  return { fails: `\`unsupported platform\` on macOS${onLinux}`, fix };
}

function linuxFix(v: Extract<Verdict, { kind: "linux" }>, who: string): string {
  // Under eventlet, trio ≥ 0.26 fails on Linux too (GreenSocket): upgrading trio is no fix there.
  return v.linux.includes("epoll") && who === "gevent"
    ? "Upgrade trio to ≥ 0.26, or drop it if nothing runs it."
    : `Drop trio if nothing runs it, or keep it out of the ${who}-patched process.`;
}

/** The import of httpx (or another trio importer) in a patched module whose versions make it fail. */
function importerUnderPatch(facts: FileFacts): CodeFindingDraft[] {
  const patch = processPatch(facts);
  const deps = facts.context?.deps;
  if (!patch || !deps) return [];
  const imp = facts.imports.find(
    (i) => !i.inTypeChecking && HTTPCORE_USERS.has(i.module.split(".")[0] ?? ""),
  );
  if (!imp || (patch.inFile && imp.line < patch.inFile.line)) return [];
  const who = patch.kind;
  const v = verdict(dependenciesOf(deps), who);
  if (v === null || v.kind === "unknown") return [];
  const name = literal(imp.module, 80);
  const message =
    v.kind === "escapes"
      ? `${name} is imported in a process patched by ${who} (${patchedWhere(patch)}), and ${versionWords(v.hc)}${v.tv ? ` with trio ${literal(v.tv.version, 40)}` : " with trio installed"}: httpcore imports trio and lets its error escape, so this import fails: ${escapeWords(v, who).fails}. ${escapeWords(v, who).fix}`
      : `${name} is imported in a process patched by ${who} (${patchedWhere(patch)}), and ${versionWords(v.tv)}: on Linux its import fails with ${v.linux}, which httpcore ${literal(v.hc.version, 40)} does not catch, so this import fails on Linux. ${linuxFix(v, who)}`;
  return [onPatch(facts, imp, patch, message, v.tv || v.kind === "linux" ? {} : { confidence: "medium" })];
}

/**
 * No run patches the project, but eventlet is installed: a bare `import eventlet` loads greendns,
 * which imports dnspython (≥ 2.4 imports httpx) with a green `select`. Reported on the eventlet
 * line when the pinned versions make that import fail (`medium`: something must import eventlet).
 */
function viaGreendns(p: ProjectFacts): ProjectFindingDraft[] {
  const d = p.deps;
  const eventlet = d.entry("eventlet");
  if (!eventlet || !d.has("eventlet") || !d.has("httpx")) return [];
  const dns = d.version("dnspython");
  if (dns && versionIn(dns.version, DNSPYTHON_IMPORTS_HTTPX) !== true) return [];
  const v = verdict(d, "eventlet");
  if (v === null || v.kind === "unknown") return [];
  const fails =
    v.kind === "escapes"
      ? `${versionWords(v.hc)}, which lets trio's import error escape, so the import fails: ${escapeWords(v, "eventlet").fails}`
      : `${versionWords(v.tv)} fails there on Linux with ${v.linux}, which httpcore ${literal(v.hc.version, 40)} does not catch`;
  return [
    onDependency(
      p,
      eventlet,
      null,
      `eventlet is installed: a bare \`import eventlet\` (by this project, or by a library that imports it because it is installed) loads eventlet's greendns, which imports dnspython with a green \`select\` in place, and dnspython ${dns ? literal(dns.version, 40) : "from 2.4"} imports httpx → httpcore → trio right there. ${fails}. If nothing uses eventlet, uninstall it; otherwise set \`EVENTLET_NO_GREENDNS=yes\` or pin \`dnspython==2.3.0\`.`,
      { also: dns ? [{ kind: "text", text: `${dns.file}:${dns.line}: dnspython ${dns.version}` }] : [] },
    ),
  ];
}

/** trio installed next to an httpcore that imports it, in a project that runs patched. */
function fromDependencies(p: ProjectFacts): ProjectFindingDraft[] {
  const { run, chain: imports } = patchWithChain(p);
  if (!run) return viaGreendns(p);
  if (!(p.deps.entry("trio") ?? p.deps.entry("httpx"))) return [];
  const who = run.patcher;
  const v = verdict(p.deps, who);
  if (v === null) return [];
  const how = `${patchWords(run)}${chainWords(imports)}`;
  const also: Evidence[] = (imports ?? []).map(runEvidence);
  if (v.kind === "escapes") {
    const dep = p.deps.entry("httpcore");
    if (!dep) return [];
    const { fails, fix } = escapeWords(v, who);
    return [
      onDependency(
        p,
        dep,
        run,
        `${versionWords(v.hc)}: it imports trio whenever trio is installed and lets any error but \`ImportError\` escape. This project runs patched by ${how}, so \`import httpx\` fails: ${fails}. ${fix}`,
        { confidence: v.tv ? "high" : "medium", fix: bumpPin(p, dep, HTTPCORE_CATCHES), also },
      ),
    ];
  }
  if (v.kind === "linux") {
    const dep = p.deps.entry("trio");
    if (!dep) return [];
    return [
      onDependency(
        p,
        dep,
        run,
        `${versionWords(v.tv)}: on Linux its import fails under ${who} patching with ${v.linux}, which httpcore ${literal(v.hc.version, 40)} does not catch (it catches only the macOS \`NotImplementedError\`). This project runs patched by ${how}. ${linuxFix(v, who)}`,
        {
          confidence: "high",
          also,
          fix: v.linux.includes("epoll") && who === "gevent" ? bumpPin(p, dep, TRIO_IMPORTS_ON_LINUX) : null,
        },
      ),
    ];
  }
  const trio = p.deps.entry("trio") ?? p.deps.entry("httpx");
  if (!trio) return [];
  return [
    onDependency(
      p,
      trio,
      run,
      `trio is installed in a project that runs patched by ${how}, and ${v.chain} imports trio whenever it is installed. Whether \`import httpx\` then crashes depends on versions this project does not pin: httpcore before ${HTTPCORE_CATCHES} lets the error escape on any platform; with httpcore ≥ ${HTTPCORE_CATCHES}, trio 0.17 – 0.25 still fails on Linux. Pin or lock httpcore and trio to settle it, or drop trio if nothing runs it.`,
      { also },
    ),
  ];
}
