import { literal } from "../inline.js";
import { type Dependencies, dependenciesOf, type VersionFact, versionIn } from "../project/dependencies.js";
import {
  CARRIERS,
  DNSPYTHON_IMPORTS_HTTPX,
  HTTPCORE_NEWEST_CHECKED,
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
import { onDependency, patchWords, projectPatch, versionWords } from "./shared/manifest.js";
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
      // An import that only checks trio is absent (success exits) is not trio in the process.
      const at =
        importOf(facts, "trio", (i) => i.inTry?.detector === true) ??
        facts.calls.find((c) => c.qualified === "trio.run");
      if (!at) return importerUnderPatch(facts);
      const before = patch.inFile !== null && at.line < patch.inFile.line;
      // Imported before the patch behind an environment flag and never run here: a
      // compatibility import, not trio running in this process.
      const runs = facts.calls.some((c) => c.qualified === "trio.run");
      if (before && !runs && "behindEnvFlag" in at && at.behindEnvFlag) return importerUnderPatch(facts);
      const who = patch.kind;
      return [
        onPatch(
          facts,
          at,
          patch,
          before
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
    upstream: [
      { name: "trio#3119", url: "https://github.com/python-trio/trio/issues/3119" },
      {
        name: "httpcore `__init__`",
        url: "https://github.com/encode/httpcore/blob/master/httpcore/__init__.py",
      },
    ],
    what: "A patch (gevent `patch_all()`/`patch_*()`, `eventlet.monkey_patch()`, `import grequests`, `import locust`) and an import of `trio` (any submodule, module level or in a function, not under `TYPE_CHECKING`) or a `trio.run()` call. Reported on the trio import. A module that a run config loads patched (gunicorn's gevent worker, celery's gevent pool, uWSGI's gevent loop) counts as patched, at `medium`, and so does a module that a module-level patch imports (in a folder scan; the message gives the import chain).\n\nWith the project's versions known (a folder scan, or a pull request with its manifests), an import of httpx, httpcore, httpx2, openai, anthropic or discord_webhook in a patched module is reported too when trio is installed next to an httpcore that imports it: every httpcore from 0.17.2 through 1.0.9 (the newest checked) imports trio in its `__init__` catching only `ImportError`, so `import httpcore` fails under the patch (`unsupported platform` on macOS; on Linux with trio 0.17 – 0.25, and under eventlet with any trio), and httpx ≥ 0.28 fails at `Client()` (lab cases httpcore-1.0.9-macos, httpx-0.28-lazy-macos). An unpinned httpcore gives no code finding (the manifest finding says so).\n\nManifests: in a project that runs patched, trio installed (declared, locked, or an extra such as `httpx[trio]`) next to httpcore (declared, locked, or through httpx, httpx2, openai, anthropic), reported on the trio line: `high` when httpcore's and trio's versions are pinned or locked, `medium` otherwise. The fix is uninstalling trio when nothing runs it; an httpcore upgrade is never offered (no release fixes it). A project that nothing runs patched but that installs eventlet, httpx and h2 (dnspython's DNS-over-HTTPS requirements; lab case dnspython-without-h2), with dnspython ≥ 2.4 (or unpinned): `medium` on the eventlet line — a bare `import eventlet` loads greendns, which imports dnspython (and so httpcore and trio) with eventlet's green socket and `select` (lab case eventlet-greendns-imports-trio); the fixes are eventlet's own (uninstall it, `EVENTLET_NO_GREENDNS=yes`, `dnspython==2.3.0`: lab cases fix-eventlet-no-greendns-yes, fix-dnspython-2.3). Under eventlet, upgrading trio is never offered (trio ≥ 0.26 fails on `GreenSocket` instead).",
    why: 'After the patch, `import trio` fails (`unsupported platform` on macOS, `select.epoll` missing on Linux). Before the patch ("import trio first"), the import works but `trio.run()` still fails in the patched process.',
    example: {
      lang: "python",
      code: "from gevent import monkey\nmonkey.patch_all()\n\nimport trio  # <- reported here",
    },
    fix: "Keep trio and gevent/eventlet in separate processes: pick one framework per process, or move one side into a worker service or a `multiprocessing` process started with `spawn`.",
    notMatched:
      "trio named only in strings or comments, and files with no patch; an import that only checks trio is absent (its success exits or raises); an `import trio` before the patch under an `if` on an environment variable, in a module that never calls `trio.run()` (a compatibility import).",
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
  /** httpcore ≥ 0.17.2 (every release checked): any error of `import trio` escapes its `__init__`. */
  | { kind: "escapes"; hc: VersionFact; tv: VersionFact | null; linux: string | null | undefined }
  /** trio installed, an importer present, httpcore's version not pinned. */
  | { kind: "unknown"; chain: string };

function verdict(d: Dependencies, who: "gevent" | "eventlet"): Verdict | null {
  const trioInstalled =
    d.has("trio") ||
    d.hasExtra("httpx", "trio") ||
    d.hasExtra("httpcore", "trio") ||
    d.hasExtra("httpx2", "trio");
  const carrier = ["httpcore", "httpcore2", ...CARRIERS.keys()].find((name) => d.has(name));
  if (!trioInstalled || !carrier) return null;
  const core = carrier === "httpx2" || carrier === "httpcore2" ? "httpcore2" : "httpcore";
  const hc = d.version(core);
  const tv = d.version("trio");
  const linux = tv ? linuxImportError(tv.version, who) : undefined;
  // What this httpcore does with trio's import error (no entry: it does not import trio).
  const importer =
    hc && TRIO_IMPORTERS.find((e) => e.pkg === core && (e.range === "" || versionIn(hc.version, e.range)));
  if (hc && !importer) return null;
  if (hc) return { kind: "escapes", hc, tv, linux };
  return { kind: "unknown", chain: carrier === core ? core : `${carrier} → ${core}` };
}

/** "fails: `unsupported platform` on macOS and … on Linux", and what fixes it (never an httpcore upgrade). */
function escapeWords(v: Extract<Verdict, { kind: "escapes" }>, who: string): { fails: string; fix: string } {
  const { linux, tv } = v;
  const onLinux =
    linux === undefined
      ? ", and on Linux `select.epoll` missing with trio 0.17 – 0.25"
      : linux === null
        ? ` (on Linux, trio ${literal(tv?.version ?? "", 40)} still imports under ${who})`
        : ` and ${linux} on Linux`;
  const linuxUpgrade =
    linux?.includes("epoll") && who === "gevent"
      ? " On Linux alone, trio ≥ 0.26 would import (macOS would still fail)."
      : "";
  const fix = `If nothing runs trio, uninstall it (drop it from the manifest): upgrading httpcore does not help, every release through ${HTTPCORE_NEWEST_CHECKED} imports trio in its \`__init__\`.${linuxUpgrade}`;
  return { fails: `\`unsupported platform\` on macOS${onLinux}`, fix };
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
  const { fails, fix } = escapeWords(v, who);
  const message = `${name} is used in a process patched by ${who} (${patchedWhere(patch)}), and ${versionWords(v.hc)}${v.tv ? ` with trio ${literal(v.tv.version, 40)}` : " with trio installed"}: httpcore imports trio and lets its error escape (at \`import httpcore\`; httpx ≥ 0.28 imports httpcore at \`Client()\`), so this fails: ${fails}. ${fix}`;
  return [onPatch(facts, imp, patch, message, v.tv ? {} : { confidence: "medium" })];
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
  // dnspython loads httpx only when its DNS-over-HTTPS requirements are all there: httpx, httpcore and h2.
  if (!(d.has("h2") || d.hasExtra("httpx", "http2") || d.hasExtra("dnspython", "doh"))) return [];
  const v = verdict(d, "eventlet");
  if (v === null || v.kind === "unknown") return [];
  const fails = `${versionWords(v.hc)}, which lets trio's import error escape, so the import fails: ${escapeWords(v, "eventlet").fails}`;
  return [
    onDependency(
      p,
      eventlet,
      null,
      `eventlet is installed: a bare \`import eventlet\` (by this project, or by a library that imports it because it is installed) loads eventlet's greendns, which imports dnspython with a green \`select\` in place, and dnspython ${dns ? literal(dns.version, 40) : "from 2.4"}, with httpx, httpcore and h2 installed (its DNS-over-HTTPS requirements), imports httpx → httpcore → trio right there. ${fails}. If nothing uses eventlet, uninstall it; otherwise set \`EVENTLET_NO_GREENDNS=yes\` or pin \`dnspython==2.3.0\`.`,
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
    // Reported where the fix is made: the trio line (or the line that brings trio in).
    const dep = p.deps.entry("trio") ?? p.deps.entry(v.hc.name) ?? p.deps.entry("httpx");
    if (!dep) return [];
    const { fails, fix } = escapeWords(v, who);
    return [
      onDependency(
        p,
        dep,
        run,
        `${versionWords(v.hc)}${v.tv ? ` and ${versionWords(v.tv)}` : " with trio installed"}: httpcore imports trio whenever trio is installed and lets any error but \`ImportError\` escape. This project runs patched by ${how}, so \`import httpcore\` (and with httpx ≥ 0.28, \`httpx.Client()\`) fails: ${fails}. ${fix}`,
        { confidence: v.tv ? "high" : "medium", also },
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
      `trio is installed in a project that runs patched by ${how}, and ${v.chain} imports trio whenever it is installed (every httpcore from 0.17.2 through ${HTTPCORE_NEWEST_CHECKED}, the newest checked, lets trio's import error escape). Unless this project runs an httpcore older than 0.17.2, \`import httpcore\` fails under the patch on macOS, and on Linux with trio 0.17 – 0.25. If nothing runs trio, uninstall it.`,
      { also },
    ),
  ];
}
