/** The Python version a report runs: stated in prose, or read from traceback paths. */
import type { Traceback } from "./traceback.js";
import { quotedMessage } from "./versions.js";

export function pythonFromPaths(tracebacks: readonly Traceback[]): string | null {
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      const p = f.path.replace(/\\/g, "/").toLowerCase();
      const k = p.indexOf("/python3.");
      if (k >= 0) {
        let j = k + 9;
        let n = "";
        while (j < p.length && p.charCodeAt(j) >= 48 && p.charCodeAt(j) <= 57) n += p[j++];
        if (n !== "") return `3.${n}`;
      }
      // Windows installs: "Python38-32", "Python311"
      const w = p.indexOf("/python3");
      if (w >= 0) {
        let j = w + 8;
        let n = "";
        while (j < p.length && p.charCodeAt(j) >= 48 && p.charCodeAt(j) <= 57) n += p[j++];
        if (n.length >= 1 && n.length <= 2) return `3.${n}`;
      }
      if (p.includes("/python2.")) return "2.7";
    }
  }
  return null;
}

/** "Python 3.11.9", "python3.11", "cPython 3.9". */
export function pythonFromText(lower: readonly string[]): string | null {
  for (const l of lower) {
    if (!l.includes("python") || quotedMessage(l)) continue;
    let from = 0;
    for (;;) {
      const i = l.indexOf("python", from);
      if (i < 0) break;
      from = i + 6;
      let j = i + 6;
      while (l[j] === " " || l[j] === ":" || l[j] === "v") j++;
      let v = "";
      while (j < l.length && ((l.charCodeAt(j) >= 48 && l.charCodeAt(j) <= 57) || l[j] === ".")) v += l[j++];
      const m = /^([23])\.(\d{1,2})/.exec(v);
      if (m) return `${m[1]}.${m[2]}`;
    }
  }
  return null;
}
