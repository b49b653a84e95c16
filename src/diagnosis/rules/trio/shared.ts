/**
 * Knowledge shared by the trio family (trio-unsupported-platform, trio-epoll-missing,
 * trio-eventlet-greensocket): who imports trio, the import chain a traceback shows, the link
 * between a failure and trio, and the fixes that every trio-under-a-patcher failure shares.
 */
import { literal } from "../../inline.js";
import type { FixDef, IssueEvidence } from "../../rule.js";
import { findLine, findLineLower, mentions, sentenceEvidence } from "../../text/evidence.js";
import { hasWordPrefix } from "../../text/lines.js";
import type { Traceback } from "../../text/traceback.js";
import { inRange, versionOf } from "../../text/versions.js";
import type { Evidence } from "../../types.js";
import { frameEvidence } from "../shared/evidence.js";
import {
  patchCallShown,
  patcher,
  patcherHow,
  patcherName,
  patches,
  shownPatcher,
} from "../shared/patcher.js";

/** Packages seen importing trio in real tracebacks (frame package names). */
export const TRIO_IMPORTERS = new Set([
  "trio",
  "httpx",
  "httpcore",
  "pyee",
  "trio_websocket",
  "locust_plugins",
  "discord_webhook",
  "dns",
]);

/** Words in prose that tie a report to trio being imported. */
const TRIO_LINK_WORDS = [
  "trio",
  "httpx",
  "httpcore",
  "dnspython",
  "greendns",
  "eventlet_no_greendns",
  "locust-plugins",
  "locust_plugins",
  "pyee",
  "trio-websocket",
];

/** Vocabulary of the trio family's issue rules. */
export const TRIO_WORDS = [...TRIO_LINK_WORDS, "gevent", "eventlet", "monkey", "epoll", "kqueue", "sendmsg"];

/** The import chain of a traceback: distinct third-party packages, in order, from the first import frame. */
export function importChain(tb: Traceback): string[] {
  const chain: string[] = [];
  let started = false;
  for (const f of tb.frames) {
    const src = (f.source ?? "").trim();
    const isImport =
      src.startsWith("import ") || src.startsWith("from ") || (f.func ?? "").includes("import");
    if (!started && !isImport) continue;
    started = true;
    if (f.pkg === "stdlib" || f.pkg === "frozen" || f.pkg === "app" || f.pkg === "") continue;
    const name = f.pkg === "dns" ? "dnspython" : f.pkg;
    if (chain[chain.length - 1] !== name) chain.push(name);
  }
  // "import trio" as the last source line counts even when the trio frames were cut off.
  const last = tb.frames[tb.frames.length - 1];
  const lastSrc = (last?.source ?? "").trim();
  if (
    (lastSrc === "import trio" || lastSrc.startsWith("import trio ") || lastSrc.startsWith("from trio")) &&
    chain[chain.length - 1] !== "trio"
  )
    chain.push("trio");
  return chain;
}

const reachesTrio = (c: string[]) => c.some((p) => TRIO_IMPORTERS.has(p) || p === "dnspython");

/** The longest import chain over all tracebacks that ends in (or passes) trio, else the longest. */
export function bestChain(ev: IssueEvidence): string[] {
  let best: string[] = [];
  for (const tb of ev.tracebacks) {
    const c = importChain(tb);
    const hasTrio = reachesTrio(c);
    const bestHasTrio = reachesTrio(best);
    if ((hasTrio && !bestHasTrio) || (hasTrio === bestHasTrio && c.length > best.length)) best = c;
  }
  return best;
}

/** Evidence that trio (directly or through a known importer) is involved. */
export function trioLink(ev: IssueEvidence): Evidence | null {
  for (const tb of ev.tracebacks) {
    const f = tb.frames.find((x) => x.pkg === "trio");
    if (f) return frameEvidence(f);
  }
  for (const tb of ev.tracebacks) {
    for (const f of tb.frames) {
      if (TRIO_IMPORTERS.has(f.pkg) || f.module.startsWith("eventlet.support.greendns"))
        return frameEvidence(f);
      if ((f.source ?? "").trim().startsWith("import trio"))
        return { kind: "frame", text: f.source ?? "", line: f.textLine };
    }
  }
  const snippet = snippetTrioImport(ev);
  if (snippet) return snippet;
  const v = ev.context.versions.get("trio");
  if (v) return { kind: "version", text: `trio ${v.version}`, line: v.textLine };
  for (const w of TRIO_LINK_WORDS) {
    if (mentions(ev, w)) return findLineLower(ev, w);
  }
  return null;
}

const FAILURE_WORDS = [
  "dies",
  "died",
  "crash",
  "fails",
  "failed",
  "failing",
  "error",
  "breaks",
  "broke",
  "won't start",
  "doesn't start",
  "does not start",
  "cannot start",
  "can't start",
];
const IMPORTER_WORDS = ["httpx", "httpcore", "trio", "pyee"];
const VIA_WORDS = [
  "dependency of ",
  "pulled in by ",
  "required by ",
  "comes with ",
  "came with ",
  "installed by ",
  "brought in by ",
  "through ",
  "via ",
];

export interface ProseChain {
  evidence: Evidence;
  /** e.g. ["openai", "httpx"] */
  chain: string[];
}

/**
 * A described (not pasted) trio import failure: a sentence that says a patched process fails
 * when a trio importer is present, e.g. "my gevent celery worker dies when httpx is installed;
 * it came in as a dependency of openai". The patcher must be shown; a bare mention of two
 * library names is not enough.
 */
export function proseTrioChain(ev: IssueEvidence): ProseChain | null {
  if (shownPatcher(ev) === null) return null;
  for (const s of ev.sentences) {
    if (s.text.length > 1000) continue;
    const importer = IMPORTER_WORDS.find((w) => hasWordPrefix(s.text, w));
    if (!importer || !FAILURE_WORDS.some((w) => hasWordPrefix(s.text, w))) continue;
    const chain: string[] = [];
    for (const v of VIA_WORDS) {
      const at = s.text.indexOf(v);
      if (at < 0) continue;
      const word = s.text.slice(at + v.length).split(/[^a-z0-9_.-]/)[0] ?? "";
      if (word.length > 1 && word !== importer && !["the", "a", "an", "my", "our"].includes(word)) {
        chain.push(word.replace(/[.]+$/, ""), importer);
        break;
      }
    }
    return { evidence: sentenceEvidence(s), chain: chain.length > 0 ? chain : [importer] };
  }
  return null;
}

/** Linux: a line saying `select.epoll` is gone (trio's or another library's failure). */
export function epollSignal(ev: IssueEvidence): Evidence | null {
  const l =
    findLine(ev, "AttributeError", "'select' has no attribute 'epoll'") ??
    findLine(ev, "AttributeError", "'eventlet.green.select' has no attribute 'epoll'") ??
    findLine(ev, "AttributeError", "'gevent.select' has no attribute 'epoll'");
  if (l !== null) return { ...l, kind: "exception" };
  // Titles often drop the exception type.
  const t =
    findLine(ev, "module 'select' has no attribute 'epoll'") ??
    findLine(ev, "module 'eventlet.green.select' has no attribute 'epoll'") ??
    // Python 2's wording.
    findLine(ev, "'module' object has no attribute 'epoll'");
  return t === null ? null : { ...t, kind: "exception" };
}

/**
 * A traceback cut before its exception line whose last frames are trio choosing its epoll
 * backend at import (`class EpollIOManager` in `_io_epoll.py`, or `_run.py` importing it): the
 * import-time epoll failure, even without the message.
 */
export function cutAtEpollBackend(ev: IssueEvidence): Evidence | null {
  for (const tb of ev.tracebacks) {
    if (tb.exception !== null) continue;
    const last = tb.frames[tb.frames.length - 1];
    if (!last) continue;
    const src = last.source ?? "";
    if (
      (last.module === "trio._core._io_epoll" &&
        (last.func === "EpollIOManager" || src.includes("select.epoll"))) ||
      (last.module === "trio._core._run" && src.includes("_io_epoll"))
    )
      return frameEvidence(last);
  }
  return null;
}

const TRIO_CHAIN_IMPORTERS = ["httpx", "httpcore", "pyee", "trio", "trio_websocket", "dns"];

/** A snippet that patches and then imports a known importer of trio: the link, shown as code. */
export function snippetTrioImport(ev: IssueEvidence): Evidence | null {
  for (const f of ev.snippetFacts) {
    const p = patches(f)[0];
    if (!p) continue;
    const imp = f.imports.find(
      (i) =>
        i.line > p.line && !i.inTypeChecking && TRIO_CHAIN_IMPORTERS.includes(i.module.split(".")[0] ?? ""),
    );
    if (imp) return { kind: "code", text: (f.lines[imp.line - 1] ?? "").trim() };
  }
  return null;
}

/**
 * Is trio behind the epoll failure? A traceback that ends in the epoll error decides by its
 * frames (a trio frame or a known importer of trio); only without one do we fall back to the
 * rest of the text (a stated trio version, httpx, dnspython, ...).
 */
export function epollTrioLink(ev: IssueEvidence): Evidence | null {
  for (const tb of ev.tracebacks) {
    if (!tb.exception?.message.includes("has no attribute 'epoll'") || tb.frames.length === 0) continue;
    const f = tb.frames.find(
      (x) => TRIO_IMPORTERS.has(x.pkg) || x.module.startsWith("eventlet.support.greendns"),
    );
    return f ? frameEvidence(f) : null; // no such frame: the traceback shows another library failing
  }
  return trioLink(ev);
}

export function chainText(chain: string[]): string {
  return chain.map((c) => literal(c, 40)).join(" → ");
}

/** Cause paragraph about who imported trio, for one way of failing. */
export function trioChainCause(ev: IssueEvidence, failure: TrioFailure): string | null {
  const chain = bestChain(ev);
  const prose = chain.length < 2 ? proseTrioChain(ev) : null;
  if (prose && prose.chain.length >= 2)
    return `The report says ${literal(prose.chain[1] ?? "", 40)} came in through ${literal(prose.chain[0] ?? "", 40)}: your code probably never imports trio itself. httpx's transport, httpcore (0.17.2 and later), imports trio eagerly whenever trio is installed.`;
  const escapes =
    failure === "notimpl"
      ? "releases up to 1.0.5 let this error escape (1.0.6 catches it)"
      : "no release catches this `AttributeError`";
  if (chain.length >= 2) {
    const greendns = greendnsShown(ev) && chain.includes("eventlet") && !chain.includes("httpx");
    const httpcore = chain.includes("httpcore") || chain.includes("httpx") || greendns;
    const rest =
      chain[chain.length - 1] === "trio"
        ? ""
        : greendns
          ? "; from eventlet's greendns it continues through `dnspython` → `httpx` → `httpcore` → `trio`"
          : ", cut before trio";
    return `The traceback shows the import chain ${chainText(chain)}${rest}: your code probably never imports trio itself.${httpcore ? ` httpcore (0.17.2 and later) imports trio eagerly whenever it is installed; ${escapes}.` : ""}`;
  }
  if (mentions(ev, "httpx") || mentions(ev, "httpcore"))
    return `The report names httpx: its transport, httpcore (0.17.2 and later), imports trio eagerly whenever trio is installed, so your code probably never imports trio itself; ${escapes}.`;
  return null;
}

/**
 * How the patcher took the primitives away, as a sentence ending before the consequence:
 * "In this report, gunicorn's gevent worker (...) had already replaced `select` and deleted ...".
 */
export function patchedSelect(ev: IssueEvidence, primitives: readonly string[]): string {
  const p = patcher(ev);
  if (p?.via === "greendns")
    return `In this report no \`monkey_patch()\` call is involved: a bare \`import eventlet\` (a library may do it just because eventlet is installed) imports eventlet's greendns, which imports dnspython with eventlet's green \`select\` in place, and that \`select\` has no ${primitives.map((x) => `\`${x}\``).join(" or ")}. dnspython ≥ 2.4 imports httpx → httpcore → trio inside that window`;
  const names = primitives.map((x) => `\`select.${x}\``);
  return `In this report, ${patcherHow(p)} had already replaced \`select\` and deleted ${names.length > 1 ? `${names.join(", ")} and friends` : names[0]}`;
}

/** "trio `0.25.1`", with where an inferred version came from. */
export function versionSentence(ev: IssueEvidence, pkg: string): string | null {
  const v = ev.context.versions.get(pkg);
  if (!v) return null;
  if (v.source === "inferred")
    return `${pkg} ${literal(v.version, 30)} (inferred from the line number of the \`raise\` in \`trio/_core/_run.py\`)`;
  return `${pkg} ${literal(v.version, 30)}`;
}

export type TrioFailure = "notimpl" | "epoll" | "greensocket";

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

/** eventlet's greendns pulls dnspython -> httpx -> httpcore -> trio in. */
export function greendnsShown(ev: IssueEvidence): boolean {
  const p = patcher(ev);
  return (
    ev.tracebacks.some((tb) => tb.frames.some((f) => f.module.startsWith("eventlet.support.greendns"))) ||
    mentions(ev, "greendns") ||
    (p?.patcher === "eventlet" && (mentions(ev, "dnspython") || mentions(ev, "eventlet_no_greendns")))
  );
}

const NOTHING_RUNS_TRIO = "If nothing in your program runs trio";
const USUAL_CASE = "(the usual case: a dependency imports it)";

/** The fixes every trio-under-a-patcher failure shares, for one way of failing. */
export function trioFixes(failure: TrioFailure): FixDef[] {
  const first: FixDef =
    failure === "greensocket"
      ? {
          id: "uninstall-trio",
          title: NOTHING_RUNS_TRIO,
          text: `${USUAL_CASE}, uninstall it: \`pip uninstall trio\` (it often arrives through an extra such as \`httpx[trio]\`). Upgrading httpcore does not help here: httpcore 1.0.6 only catches \`NotImplementedError\` from \`import trio\`, not this \`AttributeError\`.`,
        }
      : failure === "epoll"
        ? {
            id: "uninstall-or-upgrade-trio",
            title: NOTHING_RUNS_TRIO,
            text: (ev) => {
              const oldLinuxTrio =
                inRange(versionOf(ev, "trio")?.split("/")[0] ?? null, "0.17", "0.25.99") !== false;
              return `${USUAL_CASE}, uninstall it: \`pip uninstall trio\` (it often arrives through an extra such as \`httpx[trio]\`). Or upgrade trio to 0.26 or later, where \`import trio\` no longer touches \`select.epoll\`${oldLinuxTrio ? " (httpcore 1.0.6 does not catch this AttributeError, so upgrading httpcore alone is not enough on trio 0.17 – 0.25)" : ""}${patcher(ev)?.patcher === "eventlet" ? ". Under eventlet, trio ≥ 0.26 then fails on `GreenSocket.sendmsg` instead, so prefer uninstalling trio" : ""}.`;
            },
            doc: `${USUAL_CASE}, \`pip uninstall trio\`, or upgrade trio to 0.26 or later. httpcore 1.0.6 does **not** catch this \`AttributeError\`, so on trio 0.17 – 0.25 upgrading httpcore alone is not enough (said when the trio version is unknown or in that range). Under eventlet, prefer uninstalling trio.`,
          }
        : {
            id: "upgrade-httpcore",
            title: NOTHING_RUNS_TRIO,
            text: `${USUAL_CASE}, upgrade httpcore: \`pip install -U "httpcore>=1.0.6"\` (it catches the error from \`import trio\` and carries on without trio). Or uninstall trio: \`pip uninstall trio\` (it often arrives through an extra such as \`httpx[trio]\`).`,
            when: (ev) => otherImporter(ev) === null,
            whenDoc: "nothing but httpx/httpcore is shown importing trio",
          };
  const direct: FixDef = {
    id: "uninstall-trio-direct",
    title: NOTHING_RUNS_TRIO,
    text: (ev) =>
      `, uninstall it (\`pip uninstall trio\`): here ${literal(otherImporter(ev) ?? "a library", 40)} imports it directly, so upgrading httpcore does not help. If that library needs trio for a feature you use, that feature cannot run in a patched process.`,
    doc: ", uninstall it: a library that imports trio directly (pyee 8.x, locust-plugins, trio-websocket) is not helped by an httpcore upgrade; a feature that needs trio cannot run in a patched process.",
    when: (ev) => failure === "notimpl" && otherImporter(ev) !== null,
    whenDoc: "a library other than httpx/httpcore is shown importing trio",
  };
  return [
    {
      id: "eventlet-greendns",
      title: "eventlet's DNS import is what pulls trio in.",
      text: "If nothing in your program uses eventlet, uninstall it (`pip uninstall eventlet`): some libraries import it just because it is installed. Otherwise set `EVENTLET_NO_GREENDNS=yes` in the environment (eventlet then skips its DNS module), or pin `dnspython==2.3.0` (it does not import httpx).",
      when: greendnsShown,
      whenDoc:
        "eventlet's greendns is in the traceback, or the text names greendns (or dnspython / `EVENTLET_NO_GREENDNS` with eventlet)",
    },
    first,
    direct,
    {
      id: "separate-processes",
      title: "If your program really runs trio",
      text: (ev) =>
        `, do not run trio and ${patcherName(patcher(ev))} in one process: pick one framework, or move one side into a separate process (a worker service, or \`multiprocessing\` with the \`spawn\` start method).`,
      doc: ", do not run trio and gevent/eventlet in one process: pick one framework, or move one side into a separate process (a worker service, or `multiprocessing` with the `spawn` start method).",
    },
    {
      id: "import-order-not-a-fix",
      title: "Not a fix:",
      // Patch order means nothing to a report where eventlet's import alone did it.
      when: (ev) => patchCallShown(ev) || !greendnsShown(ev),
      whenDoc:
        "the report patches explicitly (a call or a worker setting), or eventlet's greendns is not what pulled trio in",
      text: (ev) =>
        `importing trio before ${patcher(ev)?.patcher === "eventlet" ? "`eventlet.monkey_patch()`" : "`monkey.patch_all()`"} only avoids this import-time crash. \`trio.run()\` still fails under a patched process (a \`TrioInternalError\` on trio 0.22, the epoll \`AttributeError\` on Linux with trio ≥ 0.26), and trio's maintainers consider patched trio unsupported.`,
      doc: "importing trio before patching only avoids the import-time crash; `trio.run()` still fails under a patched process, and trio's maintainers consider patched trio unsupported.",
    },
  ];
}
