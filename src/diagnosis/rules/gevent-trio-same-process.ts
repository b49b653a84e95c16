import { literal } from "../inline.js";
import { versionIn } from "../project/dependencies.js";
import { CARRIERS, HTTPCORE_CATCHES, TRIO_IMPORTERS, TRIO_LINUX_IMPORT_FAILS } from "../project/knowledge.js";
import { defineRule, type ProjectFacts, type ProjectFindingDraft } from "../rule.js";
import { bumpPin, onDependency, patchWords, projectPatch, versionWords } from "./shared/manifest.js";
import { importOf, needs, PATCH_NEEDS, PATCHER_NEEDLES } from "./shared/patcher.js";
import { onPatch, patchedWhere, processPatch } from "./shared/process.js";

export default defineRule({
  id: "gevent-trio-same-process",
  order: 150,
  title: "trio and gevent/eventlet in one process",
  needs: needs(PATCH_NEEDS, { source: [PATCHER_NEEDLES, ["trio"]], calls: ["trio.run"] }),
  code: {
    detect(facts) {
      const patch = processPatch(facts);
      if (!patch) return [];
      const at = importOf(facts, "trio") ?? facts.calls.find((c) => c.qualified === "trio.run");
      if (!at) return [];
      const who = patch.kind;
      return [
        onPatch(
          facts,
          at,
          patch,
          patch.inFile && at.line < patch.inFile.line
            ? `trio is imported before ${who} patches (${patchedWhere(patch)}). That only avoids the import-time crash: \`trio.run()\` still fails in a patched process. Keep trio and ${who} in separate processes.`
            : `trio is used in a process patched by ${who} (${patchedWhere(patch)}): its import fails (\`unsupported platform\` on macOS, \`select.epoll\` missing on Linux) and \`trio.run()\` cannot work. Keep trio and ${who} in separate processes.`,
        ),
      ];
    },
  },
  project: {
    detect: fromDependencies,
  },
  docs: {
    what: "A patch (gevent `patch_all()`/`patch_*()`, `eventlet.monkey_patch()`, `import grequests`, `import locust`) and an import of `trio` (any submodule, module level or in a function, not under `TYPE_CHECKING`) or a `trio.run()` call. Reported on the trio import. A module that a run config loads patched (gunicorn's gevent worker, celery's gevent pool, uWSGI's gevent loop) counts as patched, at `medium`.\n\nManifests: in a project that runs patched, trio installed (declared, locked, or an extra such as `httpx[trio]`) next to httpcore (declared, locked, or through httpx, openai, anthropic) whose version lets trio's import error escape: httpcore 0.17.2 – 1.0.5 on any platform (reported on the httpcore line, with the edit to 1.0.6 for a pin); with httpcore ≥ 1.0.6, trio 0.17 – 0.25 (Linux's `AttributeError` still escapes; reported on the trio line). `high` when both versions are pinned or locked, `medium` otherwise, saying which version would settle it.",
    why: 'After the patch, `import trio` fails (`unsupported platform` on macOS, `select.epoll` missing on Linux). Before the patch ("import trio first"), the import works but `trio.run()` still fails in the patched process.',
    example: {
      lang: "python",
      code: "from gevent import monkey\nmonkey.patch_all()\n\nimport trio  # <- reported here",
    },
    fix: "Keep trio and gevent/eventlet in separate processes: pick one framework per process, or move one side into a worker service or a `multiprocessing` process started with `spawn`.",
    notMatched: "trio named only in strings or comments, and files with no patch.",
  },
});

/** trio installed next to an httpcore that imports it, in a project that runs patched. */
function fromDependencies(p: ProjectFacts): ProjectFindingDraft[] {
  const run = projectPatch(p);
  const d = p.deps;
  const trio = d.entry("trio") ?? d.entry("httpx");
  const trioInstalled = d.has("trio") || d.hasExtra("httpx", "trio") || d.hasExtra("httpcore", "trio");
  if (!run || !trio || !trioInstalled) return [];
  const carrier = ["httpcore", ...CARRIERS.keys()].find((name) => d.has(name));
  if (!carrier) return [];
  const chain = carrier === "httpcore" ? "httpcore" : `${carrier} → httpcore`;
  const hc = d.version("httpcore");
  const tv = d.version("trio");
  const how = patchWords(run);
  const who = run.patcher;
  // What this httpcore does with trio's import error (no entry: it does not import trio).
  const importer = hc && TRIO_IMPORTERS.find((e) => e.pkg === "httpcore" && versionIn(hc.version, e.range));
  if (hc && !importer) return [];
  if (hc && importer?.escapes === "all") {
    const dep = d.entry("httpcore");
    if (!dep) return [];
    return [
      onDependency(
        p,
        dep,
        run,
        `${versionWords(hc)}: it imports trio whenever trio is installed and lets any error but \`ImportError\` escape. This project runs patched by ${how}, so \`import httpx\` fails (\`unsupported platform\` on macOS, \`select.epoll\` missing on Linux). Upgrade httpcore to ≥ ${HTTPCORE_CATCHES}${tv && versionIn(tv.version, TRIO_LINUX_IMPORT_FAILS) ? " and trio to ≥ 0.26" : ""}, or drop trio if nothing runs it.`,
        { confidence: tv ? "high" : "medium", fix: bumpPin(p, dep, HTTPCORE_CATCHES) },
      ),
    ];
  }
  if (hc && tv) {
    // httpcore catches NotImplementedError: only Linux's AttributeError of trio 0.17 – 0.25 escapes.
    if (!versionIn(tv.version, TRIO_LINUX_IMPORT_FAILS)) return [];
    const dep = d.entry("trio");
    if (!dep) return [];
    return [
      onDependency(
        p,
        dep,
        run,
        `${versionWords(tv)}: on Linux its import fails under ${who} patching with \`AttributeError: module 'select' has no attribute 'epoll'\`, which httpcore ${literal(hc.version, 40)} does not catch (it catches only the macOS \`NotImplementedError\`). This project runs patched by ${how}. Upgrade trio to ≥ 0.26, or drop it if nothing runs it.`,
        { confidence: "high" },
      ),
    ];
  }
  return [
    onDependency(
      p,
      trio,
      run,
      `trio is installed in a project that runs patched by ${how}, and ${chain} imports trio whenever it is installed. Whether \`import httpx\` then crashes depends on versions this project does not pin: httpcore before ${HTTPCORE_CATCHES} lets the error escape on any platform; with httpcore ≥ ${HTTPCORE_CATCHES}, trio 0.17 – 0.25 still fails on Linux. Pin or lock httpcore and trio to settle it, or drop trio if nothing runs it.`,
    ),
  ];
}
