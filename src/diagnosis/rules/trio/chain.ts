/**
 * Who imports trio, as a report shows it: importer packages, the import chain of a traceback
 * (or of a sentence), the link between a failure and trio, and the trio failure signals.
 */
import { literal } from "../../inline.js";
import { HTTPCORE_NEWEST_CHECKED } from "../../project/knowledge.js";
import { type IssueEvidence, perReport } from "../../rule.js";
import { findLine, findLineLower, mentions, sentenceEvidence } from "../../text/evidence.js";
import { hasWordPrefix } from "../../text/lines.js";
import { greendnsImportFrame } from "../../text/patchers.js";
import type { Traceback } from "../../text/traceback.js";
import type { Evidence } from "../../types.js";
import { frameEvidence } from "../shared/evidence.js";
import { patcher, patches, shownPatcher } from "../shared/patcher.js";

/** Packages seen importing trio in real tracebacks (frame package names). */
export const TRIO_IMPORTERS = new Set([
  "trio",
  "httpx",
  "httpcore",
  "httpx2",
  "httpcore2",
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
export const bestChain = perReport((ev: IssueEvidence): string[] => {
  let best: string[] = [];
  for (const tb of ev.tracebacks) {
    const c = importChain(tb);
    const hasTrio = reachesTrio(c);
    const bestHasTrio = reachesTrio(best);
    if ((hasTrio && !bestHasTrio) || (hasTrio === bestHasTrio && c.length > best.length)) best = c;
  }
  return best;
});

/** Evidence that trio (directly or through a known importer) is involved. */
export const trioLink = perReport((ev: IssueEvidence): Evidence | null => {
  for (const tb of ev.tracebacks) {
    const f = tb.frames.find((x) => x.pkg === "trio");
    if (f) return frameEvidence(f);
  }
  for (const tb of ev.tracebacks) {
    for (const f of tb.frames) {
      if (TRIO_IMPORTERS.has(f.pkg) || greendnsImportFrame(f)) return frameEvidence(f);
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
});

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
export const proseTrioChain = perReport((ev: IssueEvidence): ProseChain | null => {
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
});

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
export const epollTrioLink = perReport((ev: IssueEvidence): Evidence | null => {
  for (const tb of ev.tracebacks) {
    if (!tb.exception?.message.includes("has no attribute 'epoll'") || tb.frames.length === 0) continue;
    const f = tb.frames.find((x) => TRIO_IMPORTERS.has(x.pkg) || greendnsImportFrame(x));
    return f ? frameEvidence(f) : null; // no such frame: the traceback shows another library failing
  }
  return trioLink(ev);
});

export function chainText(chain: string[]): string {
  return chain.map((c) => literal(c, 40)).join(" → ");
}

/** Cause sentence about who imported trio (the same for every way of failing: no httpcore catches it). */
export function trioChainCause(ev: IssueEvidence): string | null {
  const chain = bestChain(ev);
  const prose = chain.length < 2 ? proseTrioChain(ev) : null;
  const escapes = `httpcore (≥ 0.17.2) imports trio whenever it is installed, and no release catches this error (checked through ${HTTPCORE_NEWEST_CHECKED}).`;
  if (prose && prose.chain.length >= 2)
    return `The report says ${literal(prose.chain[1] ?? "", 40)} came in through ${literal(prose.chain[0] ?? "", 40)}: ${escapes}`;
  if (chain.length >= 2) {
    const greendns = greendnsShown(ev) && chain.includes("eventlet") && !chain.includes("httpx");
    const httpcore = chain.includes("httpcore") || chain.includes("httpx") || greendns;
    const rest =
      chain[chain.length - 1] === "trio"
        ? ""
        : greendns
          ? " (its DNS module imports dnspython → httpx → httpcore → trio)"
          : ", cut before trio";
    // Through eventlet's greendns the fix is eventlet's: httpcore's part needs no retelling.
    return `Your code probably never imports trio: ${chainText(chain)}${rest}.${httpcore && !greendns ? ` ${escapes}` : ""}`;
  }
  const named = mentions(ev, "httpx") ? "httpx" : mentions(ev, "httpcore") ? "httpcore" : null;
  if (named) return `The report names ${named}: ${escapes}`;
  return null;
}

export type TrioFailure = "notimpl" | "epoll" | "greensocket";

/** eventlet's greendns pulls dnspython -> httpx -> httpcore -> trio in. */
export const greendnsShown = perReport((ev: IssueEvidence): boolean => {
  const p = patcher(ev);
  return (
    ev.context.patchers.some((x) => x.via === "greendns") ||
    ev.tracebacks.some((tb) => tb.frames.some(greendnsImportFrame)) ||
    mentions(ev, "greendns") ||
    (p?.patcher === "eventlet" && (mentions(ev, "dnspython") || mentions(ev, "eventlet_no_greendns")))
  );
});
