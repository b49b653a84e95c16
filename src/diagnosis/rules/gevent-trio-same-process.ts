import { defineRule } from "../rule.js";
import { importOf, needs, PATCH_NEEDS, PATCHER_NEEDLES, patches, underPatch } from "./shared/patcher.js";

export default defineRule({
  id: "gevent-trio-same-process",
  order: 150,
  title: "trio and gevent/eventlet in one process",
  needs: needs(PATCH_NEEDS, { source: [PATCHER_NEEDLES, ["trio"]], calls: ["trio.run"] }),
  code: {
    detect(facts) {
      const patch = patches(facts)[0];
      if (!patch) return [];
      const at = importOf(facts, "trio") ?? facts.calls.find((c) => c.qualified === "trio.run");
      if (!at) return [];
      const who = patch.kind;
      return [
        underPatch(
          facts,
          at,
          patch,
          at.line < patch.line
            ? `trio is imported before ${who} patches (line ${patch.line}). That only avoids the import-time crash: \`trio.run()\` still fails in a patched process. Keep trio and ${who} in separate processes.`
            : `trio is used in a process patched by ${who} (line ${patch.line}): its import fails (\`unsupported platform\` on macOS, \`select.epoll\` missing on Linux) and \`trio.run()\` cannot work. Keep trio and ${who} in separate processes.`,
        ),
      ];
    },
  },
  docs: {
    what: "A patch (gevent `patch_all()`/`patch_*()`, `eventlet.monkey_patch()`, `import grequests`, `import locust`) and an import of `trio` (any submodule, module level or in a function, not under `TYPE_CHECKING`) or a `trio.run()` call. Reported on the trio import.",
    why: 'After the patch, `import trio` fails (`unsupported platform` on macOS, `select.epoll` missing on Linux). Before the patch ("import trio first"), the import works but `trio.run()` still fails in the patched process.',
    example: {
      lang: "python",
      code: "from gevent import monkey\nmonkey.patch_all()\n\nimport trio  # <- reported here",
    },
    fix: "Keep trio and gevent/eventlet in separate processes: pick one framework per process, or move one side into a worker service or a `multiprocessing` process started with `spawn`.",
    notMatched: "trio named only in strings or comments, and files with no patch.",
  },
});
