import {
  patcher,
  patcherEvidence,
  patcherHow,
  patcherName,
  platformName,
  trioChainCause,
  trioFixes,
  trioLink,
  versionSentence,
} from "../knowledge.js";
import type { Rule } from "../rule.js";
import { findLine } from "../text/evidence.js";
import type { Evidence } from "../types.js";

/** trio refused to import because a patcher removed the select primitives it needs. */
const rule: Rule = {
  id: "trio-unsupported-platform",
  title: "trio imported after gevent/eventlet removed its select primitives",
  issue: {
    detect(ev) {
      // trio >= 0.28 names the patcher itself.
      const modern = findLine(ev, "monkey-patched out by");
      if (modern !== null && ev.lower.some((l) => l.includes("primitives trio depends on"))) {
        return {
          rule: rule.id,
          confidence: "high",
          message: "trio was imported after monkey-patching removed the select primitives it needs.",
          evidence: [{ ...modern, kind: "exception" }],
        };
      }
      const signal = findLine(ev, "NotImplementedError", "unsupported platform");
      if (signal === null) return null;
      const p = patcher(ev);
      if (p === null) return null; // trio on an unpatched exotic platform (e.g. Android < 0.33) is a look-alike
      const link = trioLink(ev);
      if (link === null) return null;
      const evidence: Evidence[] = [{ ...signal, kind: "exception" }, link, patcherEvidence(p)];
      return {
        rule: rule.id,
        confidence: "high",
        message: `trio was imported after ${patcherName(p)} monkey-patching removed the select primitives it needs.`,
        evidence,
      };
    },
    explain(_f, ev) {
      const p = patcher(ev);
      const plat = ev.context.platform.platform;
      const cause: string[] = [];
      const where =
        plat === "macos" || plat === "freebsd"
          ? `On ${platformName(plat)} trio uses the kqueue backend and checks \`hasattr(select, "kqueue")\` when it is imported.`
          : plat === "linux"
            ? "On Linux, trio 0.16 and older check `hasattr(select, \"epoll\")` when they are imported (trio 0.17 – 0.25 fail with `AttributeError: module 'select' has no attribute 'epoll'` instead)."
            : "trio chooses its I/O backend when it is imported: epoll on Linux, kqueue on macOS and the BSDs.";
      cause.push(
        `${where} In this report, ${patcherHow(p)} had already replaced \`select\` and deleted \`select.kqueue\`, \`select.epoll\` and friends, so \`trio/_core/_run.py\` finds no backend and raises \`NotImplementedError: unsupported platform\`.`,
      );
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      const v = versionSentence(ev, "trio");
      if (v) cause.push(`Version seen: ${v}.`);
      return {
        summary: `trio is imported after ${patcherName(p)} monkey-patching has removed \`select.kqueue\`/\`select.epoll\`, so its import fails. This is not a bug in the library at the top of the traceback.`,
        cause,
        fixes: trioFixes(ev, { failure: "notimpl" }),
      };
    },
  },
};

export default rule;
