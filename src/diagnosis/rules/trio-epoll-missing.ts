import {
  patcher,
  patcherEvidence,
  patcherHow,
  patcherName,
  TRIO_IMPORTERS,
  trioChainCause,
  trioFixes,
  trioLink,
  versionSentence,
} from "../knowledge.js";
import type { IssueEvidence, Rule } from "../rule.js";
import { findLine } from "../text/evidence.js";
import type { Evidence } from "../types.js";

/** Linux: trio's epoll backend found `select.epoll` deleted by a patcher. */
export function epollSignal(ev: IssueEvidence): Evidence | null {
  const l =
    findLine(ev, "AttributeError", "'select' has no attribute 'epoll'") ??
    findLine(ev, "AttributeError", "'eventlet.green.select' has no attribute 'epoll'") ??
    findLine(ev, "AttributeError", "'gevent.select' has no attribute 'epoll'");
  if (l !== null) return { ...l, kind: "exception" };
  // Titles often drop the exception type.
  const t =
    findLine(ev, "module 'select' has no attribute 'epoll'") ??
    findLine(ev, "module 'eventlet.green.select' has no attribute 'epoll'");
  return t === null ? null : { ...t, kind: "exception" };
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
    if (!f) return null; // the traceback shows another library failing
    return {
      kind: "frame",
      text: `File "${f.path}", line ${f.line ?? "?"}${f.func ? `, in ${f.func}` : ""}`,
      line: f.textLine,
    };
  }
  return trioLink(ev);
}

const rule: Rule = {
  id: "trio-epoll-missing",
  title: "trio's epoll backend under gevent/eventlet (Linux)",
  issue: {
    detect(ev) {
      const signal = epollSignal(ev);
      if (signal === null) return null;
      const link = epollTrioLink(ev);
      if (link === null) return null;
      if (ev.context.platform.platform === "macos" && patcher(ev) === null) return null;
      const p = patcher(ev);
      const evidence: Evidence[] = [signal, link];
      if (p) evidence.push(patcherEvidence(p));
      return {
        rule: rule.id,
        confidence: p !== null || link.kind === "frame" ? "high" : "medium",
        message: "trio's epoll backend found `select.epoll` deleted by monkey-patching.",
        evidence,
      };
    },
    explain(_f, ev) {
      const p = patcher(ev);
      const cause = [
        `On Linux, trio 0.17 – 0.25 pick the epoll backend from \`sys.platform\` and create \`select.epoll()\` when they are imported (trio ≥ 0.26 defers it to \`trio.run()\`). ${p ? `In this report, ${patcherHow(p)}` : "gevent's or eventlet's monkey-patching"} had already replaced \`select\` and deleted \`select.epoll\`, so trio fails with \`AttributeError: module 'select' has no attribute 'epoll'\`${p?.patcher === "eventlet" ? " (under eventlet the module is named `eventlet.green.select`)" : ""}.`,
      ];
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      const v = versionSentence(ev, "trio");
      if (v) cause.push(`Version seen: ${v}.`);
      return {
        summary: `trio is imported under ${patcherName(p)} monkey-patching, which deleted \`select.epoll\`. This is not a bug in the library at the top of the traceback.`,
        cause,
        fixes: trioFixes(ev, { failure: "epoll" }),
      };
    },
  },
};

export default rule;
