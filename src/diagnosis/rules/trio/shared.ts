/**
 * The fixes and sentences every trio-under-a-patcher failure shares (trio-unsupported-platform,
 * trio-epoll-missing, trio-eventlet-greensocket). Who imports trio is in chain.ts.
 */
import { literal } from "../../inline.js";
import { HTTPCORE_NEWEST_CHECKED } from "../../project/knowledge.js";
import type { FixDef, IssueEvidence } from "../../rule.js";
import { mentions } from "../../text/evidence.js";
import { greendnsSetting } from "../../text/greendns.js";
import { inRange, versionOf } from "../../text/versions.js";
import { GREENDNS_OFF, LOCUST_SKIP, UNINSTALL_TRIO } from "../shared/mentions.js";
import { patchCallShown, patcher, patcherHow, patcherName } from "../shared/patcher.js";
import { bestChain, greendnsShown, type TrioFailure } from "./chain.js";

export * from "./chain.js";

/**
 * How the patcher took the primitives away, as a sentence ending before the consequence:
 * "In this report, gunicorn's gevent worker (...) had already replaced `select` and deleted ...".
 */
export function patchedSelect(ev: IssueEvidence, primitives: readonly string[]): string {
  const p = patcher(ev);
  if (p?.via === "greendns")
    return `Here no \`monkey_patch()\` call is involved: importing eventlet imports dnspython with a green \`select\` (no ${primitives.map((x) => `\`${x}\``).join(" or ")}), and dnspython ≥ 2.4 imports trio then`;
  const names = primitives.map((x) => `\`select.${x}\``);
  if (p === null)
    return `The report names no patcher, yet ${names[0]} was gone: only gevent's or eventlet's patching (or a worker that patches for you) deletes it`;
  return `Here ${patcherHow(p)} had deleted ${names.join(" and ")}`;
}

/** The summary's closing clause: said only when the report has a traceback to point at. */
export function notTheirBug(ev: IssueEvidence): string {
  return ev.tracebacks.some((t) => t.frames.length > 0)
    ? "; not a bug in the library atop the traceback"
    : "";
}

/** "trio `0.25.1`", with where an inferred version came from. */
export function versionSentence(ev: IssueEvidence, pkg: string): string | null {
  const v = ev.context.versions.get(pkg);
  if (!v) return null;
  if (v.source === "inferred")
    return `${pkg} ${literal(v.version, 30)} (inferred from the line number of the \`raise\` in \`trio/_core/_run.py\`)`;
  return `${pkg} ${literal(v.version, 30)}`;
}

/** Libraries that import trio themselves (not through httpcore). */
const DIRECT_IMPORTERS = ["pyee", "locust_plugins", "trio_websocket", "locust-plugins", "trio-websocket"];

/** The library shown importing trio directly, when it is not httpx/httpcore. */
export function otherImporter(ev: IssueEvidence): string | null {
  const chain = bestChain(ev);
  if (chain.includes("httpx") || chain.includes("httpcore")) return null;
  const inChain = chain.find((p) => DIRECT_IMPORTERS.includes(p));
  if (inChain) return inChain.replace(/_/g, "-");
  if (mentions(ev, "httpx") || mentions(ev, "httpcore")) return null;
  return (
    DIRECT_IMPORTERS.find((p) => p.includes("-") && mentions(ev, p)) ?? (mentions(ev, "pyee") ? "pyee" : null)
  );
}

/**
 * The reporter's own code runs trio (a snippet calls `trio.run()`, or imports trio next to its
 * async code): upgrading httpcore or uninstalling trio cannot help them.
 */
export function runsTrio(ev: IssueEvidence): boolean {
  return ev.snippetFacts.some(
    (f) =>
      f.calls.some((c) => c.qualified === "trio.run") ||
      f.imports.some((i) => i.module === "trio" || i.targets.includes("trio")),
  );
}

const NOTHING_RUNS_TRIO = "If nothing in your program runs trio";
const USUAL_CASE = "(usually only a dependency imports it)";

/** The fixes every trio-under-a-patcher failure shares, for one way of failing. */
export function trioFixes(failure: TrioFailure): FixDef[] {
  const first: FixDef =
    failure === "greensocket"
      ? {
          id: "uninstall-trio",
          mentioned: UNINSTALL_TRIO,
          verified: { lab: ["trio-eventlet-linux-trio-0.34", "fix-uninstall-trio-macos"] },
          title: NOTHING_RUNS_TRIO,
          text: `${USUAL_CASE}: \`pip uninstall trio\`. Upgrading httpcore does not help.`,
        }
      : failure === "epoll"
        ? {
            id: "uninstall-or-upgrade-trio",
            mentioned: UNINSTALL_TRIO,
            verified: {
              lab: ["trio-gevent-linux-trio-0.22", "trio-gevent-linux-trio-0.34", "fix-uninstall-trio-macos"],
            },
            title: NOTHING_RUNS_TRIO,
            text: (ev) => {
              const oldLinuxTrio =
                inRange(versionOf(ev, "trio")?.split("/")[0] ?? null, "0.17", "0.25.99") !== false;
              return `${USUAL_CASE}: \`pip uninstall trio\`. ${patcher(ev)?.patcher === "eventlet" ? "Upgrading trio does not help under eventlet" : "Or upgrade trio to ≥ 0.26, whose import works on Linux (`trio.run()` still fails patched)"}${oldLinuxTrio ? "; upgrading httpcore does not help, no release catches this error" : ""}.`;
            },
            doc: `${USUAL_CASE}, \`pip uninstall trio\`, or upgrade trio to 0.26 or later (its import then works on Linux; \`trio.run()\` still fails under the patch). No httpcore release catches this \`AttributeError\` (said when the trio version is unknown or in 0.17 – 0.25). Under eventlet, prefer uninstalling trio.`,
          }
        : {
            id: "uninstall-trio-macos",
            mentioned: UNINSTALL_TRIO,
            verified: {
              lab: ["httpcore-1.0.9-macos", "fix-uninstall-trio-macos", "fix-import-httpcore-first-macos"],
            },
            title: NOTHING_RUNS_TRIO,
            text: (ev) =>
              `${USUAL_CASE}: \`pip uninstall trio\`. Upgrading httpcore does not help.${patchCallShown(ev) ? " If trio must stay, import `httpcore` (not the lazy `httpx`) before the patch." : ""}`,
            doc: `${USUAL_CASE}: \`pip uninstall trio\`. Upgrading httpcore does not help (no release through ${HTTPCORE_NEWEST_CHECKED} catches this). When the report patches explicitly: if trio must stay, import \`httpcore\` (not the lazy \`httpx\`) before the patch.`,
            when: (ev) => otherImporter(ev) === null && !runsTrio(ev),
            whenDoc:
              "nothing but httpx/httpcore is shown importing trio, and the report's code does not run trio",
          };
  const direct: FixDef = {
    id: "uninstall-trio-direct",
    mentioned: UNINSTALL_TRIO,
    verified: { lab: ["fix-uninstall-trio-macos"] },
    title: NOTHING_RUNS_TRIO,
    text: (ev) =>
      `: \`pip uninstall trio\`. Here ${literal(otherImporter(ev) ?? "a library", 40)} imports it directly; a feature of it that needs trio cannot run patched.`,
    doc: ", uninstall it: a library that imports trio directly (pyee 7.0 – 11.1.1, locust-plugins, trio-websocket) is not helped by an httpcore upgrade; a feature that needs trio cannot run in a patched process.",
    when: (ev) => failure === "notimpl" && otherImporter(ev) !== null && !runsTrio(ev),
    whenDoc:
      "a library other than httpx/httpcore is shown importing trio, and the report's code does not run trio",
  };
  return [
    {
      id: "eventlet-greendns",
      mentioned: GREENDNS_OFF,
      // Set to anything but `yes`, the variable did nothing: the fix still stands (and says why).
      stillNeeded: (ev) => greendnsSetting(ev)?.honoured === false,
      verified: {
        lab: [
          "eventlet-greendns-imports-trio",
          "fix-eventlet-no-greendns-yes",
          "eventlet-no-greendns-1-does-nothing",
          "fix-dnspython-2.3",
        ],
      },
      text: (ev) => {
        const set = greendnsSetting(ev);
        const uninstall =
          "If nothing uses eventlet, `pip uninstall eventlet` (libraries import it just because it is installed)";
        if (set?.honoured) return `${uninstall}, or pin \`dnspython==2.3.0\`.`;
        const wrong = set
          ? `The report sets ${literal(`EVENTLET_NO_GREENDNS=${set.value}`, 60)}: eventlet honours only \`yes\`. `
          : "";
        return `${wrong}${uninstall}; otherwise set \`EVENTLET_NO_GREENDNS=yes\` or pin \`dnspython==2.3.0\`.`;
      },
      doc: "If nothing in your program uses eventlet, uninstall it (`pip uninstall eventlet`): some libraries import it just because it is installed. Otherwise set `EVENTLET_NO_GREENDNS=yes` in the environment (eventlet then skips its DNS module; only `yes` works, so a report that sets `1` or `true` is told so, and one that already sets `yes` is not told again), or pin `dnspython==2.3.0` (it does not import httpx).",
      lead: (ev) => greendnsSetting(ev) !== null,
      when: greendnsShown,
      whenDoc:
        "eventlet's greendns is in the traceback, or the text names greendns (or dnspython / `EVENTLET_NO_GREENDNS` with eventlet)",
    },
    first,
    direct,
    {
      id: "locust-skip-patch",
      mentioned: LOCUST_SKIP,
      verified: {
        source:
          "locust's documentation, Skipping monkey patching (https://docs.locust.io/en/stable/use-as-lib.html): `locust/__init__.py` calls `monkey.patch_all()` unless `LOCUST_SKIP_MONKEY_PATCH` is set",
      },
      title: "If locust is only imported",
      text: "(tests, tooling), set `LOCUST_SKIP_MONKEY_PATCH=1` before anything imports it (locust ≥ 2.29.1): it then does not patch.",
      when: (ev) => patcher(ev)?.via === "locust",
      whenDoc: "locust is what patched the process",
    },
    {
      id: "separate-processes",
      verified: {
        source:
          "Python's multiprocessing documentation: the spawn start method starts a fresh interpreter (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)",
      },
      lead: runsTrio,
      title: "If your program really runs trio",
      text: (ev) =>
        `, run trio and ${patcherName(patcher(ev))} in separate processes (a worker service, or \`multiprocessing\` with \`spawn\`).`,
      doc: ", do not run trio and gevent/eventlet in one process: pick one framework, or move one side into a separate process (a worker service, or `multiprocessing` with the `spawn` start method).",
    },
    {
      id: "import-order-not-a-fix",
      verified: { lab: ["import-trio-first-trio-0.22", "import-trio-first-trio-0.34"] },
      title: "Not a fix:",
      // Patch order means nothing to a report where eventlet's import alone did it.
      when: (ev) => patchCallShown(ev) || !greendnsShown(ev),
      whenDoc:
        "the report patches explicitly (a call or a worker setting), or eventlet's greendns is not what pulled trio in",
      text: (ev) =>
        `importing trio before ${patcher(ev)?.patcher === "eventlet" ? "`eventlet.monkey_patch()`" : "`monkey.patch_all()`"} only avoids the import crash; \`trio.run()\` still fails patched.`,
      doc: "importing trio before patching only avoids the import-time crash; `trio.run()` still fails under a patched process, and trio's maintainers consider patched trio unsupported.",
    },
  ];
}
