/**
 * Python traceback parsing, one line at a time. Accepts tracebacks that are prefixed by log
 * decoration, cut off at either end, chained, or whose paths were mangled by Markdown.
 */
import { stripLogPrefix } from "./lines.js";

export interface Frame {
  path: string;
  line: number | null;
  func: string | null;
  source: string | null;
  /** Top-level distribution/package directory under site-packages (or "stdlib"/"app"/"frozen"). */
  pkg: string;
  /** Dotted module guessed from the path (`httpcore._synchronization`), "" when unknown. */
  module: string;
  /** 1-based line in the text. */
  textLine: number;
}

export interface ExceptionInfo {
  type: string;
  message: string;
  textLine: number;
}

export interface Traceback {
  /** At most `MAX_FRAMES`: the first and the last half (where a deep traceback's story is). */
  frames: Frame[];
  /** Frames left out of the middle of a deeper traceback. */
  omitted: number;
  exception: ExceptionInfo | null;
  /** Link to the traceback this one was raised while handling / caused by. */
  chainedFrom: number | null;
  startLine: number;
}

const EXC_SUFFIXES = ["Error", "Exception", "Exit", "Warning", "Interrupt", "error", "Timeout"];

/**
 * Parse `Type: message` or a bare `Type` exception line; null when the line is not one.
 * The type must be a dotted identifier whose last part looks like an exception class.
 */
export function parseExceptionLine(line: string): { type: string; message: string } | null {
  const t = line.trim();
  if (t.length === 0 || t.length > 5000) return null;
  let i = 0;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46;
    if (!ok) break;
    i++;
  }
  if (i === 0) return null;
  const type = t.slice(0, i);
  if (type.startsWith(".") || type.endsWith(".")) return null;
  const last = type.slice(type.lastIndexOf(".") + 1);
  if (!EXC_SUFFIXES.some((s) => last.endsWith(s)) || !/^[A-Za-z]/.test(last)) return null;
  const rest = t.slice(i);
  if (rest === "") return { type, message: "" };
  if (rest.startsWith(":")) return { type, message: rest.slice(1).trim() };
  return null;
}

/** Normalise a frame path and derive its package and module. */
export function classifyPath(rawPath: string): { pkg: string; module: string } {
  if (rawPath === "") return { pkg: "app", module: "" };
  const p = rawPath.includes("\\") ? rawPath.replace(/\\/g, "/") : rawPath;
  if (p.startsWith("<frozen ")) return { pkg: "frozen", module: p.slice(8, -1) };
  if (p.startsWith("<")) return { pkg: "app", module: "" };
  const lower = p.toLowerCase();
  let idx = -1;
  let skip = 0;
  for (const marker of ["/site-packages/", "/dist-packages/"]) {
    const k = lower.lastIndexOf(marker);
    if (k > idx) {
      idx = k;
      skip = marker.length;
    }
  }
  let rel: string;
  let pkgKind: "site" | "stdlib" | "app" = "site";
  if (idx >= 0) {
    rel = p.slice(idx + skip);
    // eggs: site-packages/name-1.0-py2.7.egg/name/...
    const first = rel.split("/")[0] ?? "";
    if (first.endsWith(".egg")) rel = rel.slice(first.length + 1);
  } else {
    const m = lower.lastIndexOf("/lib/python");
    if (m >= 0) {
      const after = p.slice(m + 11);
      const slash = after.indexOf("/");
      rel = slash >= 0 ? after.slice(slash + 1) : after;
      pkgKind = "stdlib";
    } else {
      rel = p.slice(p.lastIndexOf("/") + 1);
      pkgKind = "app";
    }
  }
  const parts = rel.split("/").filter((s) => s.length > 0);
  const lastPart = parts[parts.length - 1] ?? "";
  if (lastPart.endsWith(".py") || lastPart.endsWith(".pyx") || lastPart.endsWith(".so")) {
    const stem = lastPart.slice(0, lastPart.indexOf("."));
    // Markdown renders __init__ as bold "init": treat a bare init.py as a package __init__.
    if (stem === "__init__" || stem === "init") parts.pop();
    else parts[parts.length - 1] = stem;
  }
  const module = parts.join(".");
  if (pkgKind === "stdlib") return { pkg: "stdlib", module };
  if (pkgKind === "app") return { pkg: "app", module };
  return { pkg: (parts[0] ?? "").toLowerCase(), module };
}

/** Parse a frame header line; null when the line is not one. */
export function parseFrameLine(
  line: string,
): { path: string; line: number | null; func: string | null } | null {
  const at = line.indexOf('File "');
  if (at >= 0) {
    const start = at + 6;
    const end = line.indexOf('"', start);
    if (end < 0) {
      // Cut mid-path: keep what we have.
      return { path: line.slice(start).trim(), line: null, func: null };
    }
    const path = line.slice(start, end);
    const rest = line.slice(end + 1);
    let lineNo: number | null = null;
    const li = rest.indexOf("line ");
    if (li >= 0) {
      let j = li + 5;
      let n = "";
      while (j < rest.length && rest.charCodeAt(j) >= 48 && rest.charCodeAt(j) <= 57) n += rest[j++];
      if (n !== "") lineNo = Number(n);
    }
    let func: string | null = null;
    const fi = rest.indexOf(", in ");
    if (fi >= 0) func = rest.slice(fi + 5).trim() || null;
    else if (li >= 0) {
      // faulthandler's thread dumps: `File "x.py", line 302 in wait`
      const gi = rest.indexOf(" in ", li);
      if (gi >= 0) func = rest.slice(gi + 4).trim() || null;
    }
    return { path, line: lineNo, func };
  }
  // IPython / Jupyter: "File /usr/lib/python3.10/asyncio/runners.py:33, in run(main, debug)"
  const t = line.trimStart();
  if (t.startsWith("File ") && t.includes(".py:")) {
    const body = t.slice(5);
    const colon = body.indexOf(".py:") + 3;
    const path = body.slice(0, colon);
    let j = colon + 1;
    let n = "";
    while (j < body.length && body.charCodeAt(j) >= 48 && body.charCodeAt(j) <= 57) n += body[j++];
    const fi = body.indexOf(", in ", j);
    const func = fi >= 0 ? body.slice(fi + 5).trim() : null;
    return { path, line: n === "" ? null : Number(n), func };
  }
  return null;
}

function isCaretLine(t: string): boolean {
  if (t.length === 0) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i];
    if (c !== "^" && c !== "~" && c !== " ") return false;
  }
  return true;
}

/** Frames kept per traceback (a recursion's thousand repeated frames tell no more than 200). */
export const MAX_FRAMES = 200;
/** Tracebacks read from one text (later ones are not read). */
export const MAX_TRACEBACKS = 100;

/** Find every traceback in the lines, in order (at most `MAX_TRACEBACKS`). Linear in the total length. */
export function parseTracebacks(lines: readonly string[]): Traceback[] {
  const out: Traceback[] = [];
  let cur: Traceback | null = null;
  let lastFrame: Frame | null = null;
  let misses = 0;
  let pendingChain: number | null = null;

  const close = () => {
    if (cur !== null) trimFrames(cur);
    if (cur !== null && (cur.frames.length > 0 || cur.exception !== null) && out.length < MAX_TRACEBACKS)
      out.push(cur);
    cur = null;
    lastFrame = null;
    misses = 0;
  };
  const open = (startLine: number): Traceback => {
    const tb: Traceback = { frames: [], omitted: 0, exception: null, chainedFrom: pendingChain, startLine };
    cur = tb;
    pendingChain = null;
    return tb;
  };

  for (let i = 0; i < lines.length && out.length < MAX_TRACEBACKS; i++) {
    const raw = lines[i] ?? "";
    if (raw.length > 20000) continue;
    // Outside a traceback only a header or a frame can matter: skip prose cheaply.
    if (
      cur === null &&
      !raw.includes("File ") &&
      !raw.includes("Traceback (most") &&
      !raw.includes("During handling") &&
      !raw.includes("The above exception")
    )
      continue;
    const body = stripLogPrefix(raw);
    const t = body.trim();
    if (t.includes("Traceback (most recent call last)")) {
      close();
      open(i + 1);
      continue;
    }
    if (
      t.startsWith("During handling of the above exception") ||
      t.startsWith("The above exception was the direct cause")
    ) {
      close();
      if (out.length > 0) pendingChain = out.length - 1;
      continue;
    }
    const fr = parseFrameLine(body);
    if (fr !== null) {
      const tb: Traceback = cur ?? open(i + 1);
      const { pkg, module } = classifyPath(fr.path);
      // Written out, not spread: a spread here cost ten times the rest of the loop (V8 clones slowly).
      lastFrame = { path: fr.path, line: fr.line, func: fr.func, source: null, pkg, module, textLine: i + 1 };
      tb.frames.push(lastFrame);
      if (tb.frames.length >= 2 * MAX_FRAMES) trimFrames(tb);
      misses = 0;
      continue;
    }
    if (cur === null) continue;
    const c = cur as Traceback;
    if (t === "" || isCaretLine(t) || t.startsWith("[Previous line repeated") || t.startsWith("...")) {
      continue;
    }
    const exc = parseExceptionLine(t);
    if (exc !== null && (lastFrame === null || lastFrame.source !== null || looksLikeFinal(t))) {
      c.exception = { ...exc, textLine: i + 1 };
      close();
      continue;
    }
    if (lastFrame !== null && lastFrame.source === null) {
      lastFrame.source = t;
      continue;
    }
    misses++;
    if (misses > 3) close();
  }
  close();
  return out;
}

/** Keep the first and last `MAX_FRAMES / 2` frames (amortised: called every `MAX_FRAMES` pushes). */
function trimFrames(tb: Traceback): void {
  const extra = tb.frames.length - MAX_FRAMES;
  if (extra <= 0) return;
  tb.frames.splice(MAX_FRAMES / 2, extra);
  tb.omitted += extra;
}

/** An exception line right after a frame header (no source shown, e.g. frozen frames). */
function looksLikeFinal(t: string): boolean {
  return t.includes(": ") || !t.includes(" ");
}
