/**
 * The playground page: the diagnosis engine and the grammar run here, as WebAssembly; nothing is
 * sent anywhere. Two tabs (an issue; a Python file with optional manifests), an examples menu,
 * and a permalink that keeps the input in the URL fragment.
 */
import DOMPurify from "dompurify";
import MarkdownIt from "markdown-it";
import type { Config } from "../../config/schema.js";
import { createEngine, type Engine } from "../../diagnosis/engine.js";
import { locateWasm } from "../../diagnosis/python/parser.js";
import { type CodeOutcome, diagnoseCode, diagnoseIssue, inputLine, type ReviewComment } from "../diagnose.js";
import { EXAMPLES } from "../examples.js";
import { $, el, fragment } from "./dom.js";
import { decodeState, encodeState, type PlaygroundState } from "./permalink.js";

/** The App's default configuration, put in by the build (the schema's validator stays out of the page). */
declare const __DEFAULT_CONFIG__: Config;
const DEFAULT_CONFIG = __DEFAULT_CONFIG__;

const md = new MarkdownIt({ html: true, linkify: false, breaks: false });

/** GitHub-flavoured rendering of our own Markdown, sanitised like any HTML from a text. */
function render(markdown: string): string {
  return DOMPurify.sanitize(md.render(markdown), {
    ADD_TAGS: ["details", "summary"],
    ADD_ATTR: ["open"],
    FORBID_TAGS: ["style", "img", "iframe", "form"],
  });
}

let engine: Engine | null = null;

/* ---------- issue tab ---------- */

function showIssue(): void {
  if (!engine) return;
  const body = $<HTMLTextAreaElement>("issue-body").value;
  const t = performance.now();
  const out = diagnoseIssue(engine, DEFAULT_CONFIG, {
    title: $<HTMLInputElement>("issue-title").value,
    body,
    repo: $<HTMLInputElement>("issue-repo").value.trim(),
  });
  const comment = $("issue-comment");
  if (out.comment) {
    comment.innerHTML = render(out.comment);
    comment.className = "markdown-body";
  } else {
    comment.textContent = "No comment: the App would say nothing on this issue.";
    comment.className = "markdown-body empty";
  }
  const fixes = out.fixes.map((f) => {
    const tr = el("tr");
    tr.append(el("td", "rule", f.id), el("td", undefined, f.verified.replace(/`/g, "")));
    return tr;
  });
  $("issue-fixes").replaceChildren(fragment(fixes.length ? fixes : [emptyRow(2, "no fixes offered")]));
  const labels = $("issue-labels");
  labels.replaceChildren(
    fragment(
      out.labels.length ? out.labels.map((l) => el("span", "label", l)) : [el("span", "muted", "none")],
    ),
  );
  const rows = out.findings.map((f) => {
    const tr = el("tr");
    tr.append(
      el("td", "rule", f.rule),
      el("td", undefined, f.confidence),
      el(
        "td",
        undefined,
        f.evidence
          .map((e) => {
            // Evidence without a line is something the text says as a whole ("mentions gevent").
            if (e.line === undefined) return "the text";
            const at = inputLine(e.line);
            return at === "title" ? "title" : `line ${at}`;
          })
          .join(", "),
      ),
    );
    return tr;
  });
  $("issue-findings").replaceChildren(fragment(rows.length ? rows : [emptyRow(3, "no findings")]));
  // The body with its evidence lines marked.
  const marked = new Set(out.evidenceLines);
  $("issue-evidence").replaceChildren(
    fragment(
      body.split("\n").map((line, i) => {
        const row = el("div", marked.has(i + 1) ? "line evidence" : "line");
        row.append(el("span", "ln", String(i + 1)), el("span", "code", line || " "));
        return row;
      }),
    ),
  );
  status(`diagnosed in ${(performance.now() - t).toFixed(0)} ms`, out.findings.length);
}

function emptyRow(span: number, message: string): HTMLTableRowElement {
  const tr = el("tr");
  const td = el("td", "muted", message);
  td.colSpan = span;
  tr.append(td);
  return tr;
}

/* ---------- code tab ---------- */

/** A suggestion block shown as the diff it would apply. */
function suggestionDiff(c: ReviewComment, source: string[]): HTMLElement | null {
  const fix = c.finding.fix;
  if (!fix) return null;
  const pre = el("pre", "diff");
  for (const line of source.slice(fix.startLine - 1, fix.endLine)) pre.append(el("div", "del", `- ${line}`));
  for (const line of fix.text.replace(/\n$/, "").split("\n")) pre.append(el("div", "add", `+ ${line}`));
  return pre;
}

function commentBox(c: ReviewComment, lines: string[]): HTMLElement {
  const box = el("div", "review-comment");
  box.setAttribute("role", "note");
  box.dataset.line = String(c.line);
  box.dataset.rule = c.finding.rule;
  const body = el("div", "markdown-body");
  body.innerHTML = render(c.body);
  const diff = suggestionDiff(c, lines);
  if (diff)
    for (const pre of body.querySelectorAll("pre:has(code.language-suggestion)")) pre.replaceWith(diff);
  box.append(body);
  return box;
}

function currentPath(): string {
  return $<HTMLInputElement>("code-path").value.trim() || "app.py";
}

function fileView(name: string, source: string, comments: ReviewComment[], id: string): HTMLElement {
  const lines = source.replace(/\n$/, "").split("\n");
  const wrap = el("section", "file");
  wrap.setAttribute("aria-label", name);
  wrap.id = id;
  wrap.append(el("h3", "file-name", name));
  lines.forEach((line, i) => {
    const row = el("div", "line");
    row.dataset.line = String(i + 1);
    row.append(el("span", "ln", String(i + 1)), el("span", "code", line || " "));
    wrap.append(row);
    for (const c of comments.filter((x) => x.line === i + 1)) wrap.append(commentBox(c, lines));
  });
  return wrap;
}

function showCode(): void {
  if (!engine) return;
  const t = performance.now();
  const source = $<HTMLTextAreaElement>("code-source").value;
  const manifests = {
    "requirements.txt": $<HTMLTextAreaElement>("code-requirements").value,
    "pyproject.toml": $<HTMLTextAreaElement>("code-pyproject").value,
  };
  const out: CodeOutcome = diagnoseCode(engine, DEFAULT_CONFIG, { path: currentPath(), source, manifests });
  const views = [
    fileView(
      currentPath(),
      source,
      out.comments.filter((c) => c.file === currentPath()),
      "review-source",
    ),
  ];
  for (const [name, content] of Object.entries(manifests)) {
    const mine = out.comments.filter((c) => c.file === name);
    if (mine.length > 0) views.push(fileView(name, content, mine, `review-${name.replace(/\W/g, "-")}`));
  }
  $("code-review").replaceChildren(fragment(views));
  const check = $("code-check");
  check.innerHTML = render(`### ${out.check.title}\n\n${out.check.summary}`);
  status(`diagnosed in ${(performance.now() - t).toFixed(0)} ms`, out.comments.length);
}

/* ---------- state, tabs, permalink ---------- */

function status(message: string, findings: number): void {
  const s = $("status");
  s.textContent = `${message} · ${findings} finding${findings === 1 ? "" : "s"}`;
  document.body.dataset.ready = "true";
  document.body.dataset.diagnoses = String(Number(document.body.dataset.diagnoses ?? "0") + 1);
}

function selectTab(tab: "issue" | "code", focus = false): void {
  for (const name of ["issue", "code"] as const) {
    const button = $(`tab-${name}`);
    const on = name === tab;
    button.setAttribute("aria-selected", String(on));
    button.tabIndex = on ? 0 : -1;
    $(`panel-${name}`).hidden = !on;
    if (on && focus) button.focus();
  }
  if (tab === "issue") showIssue();
  else showCode();
}

function currentTab(): "issue" | "code" {
  return $("tab-code").getAttribute("aria-selected") === "true" ? "code" : "issue";
}

function readState(): PlaygroundState {
  return {
    tab: currentTab(),
    title: $<HTMLInputElement>("issue-title").value,
    body: $<HTMLTextAreaElement>("issue-body").value,
    repo: $<HTMLInputElement>("issue-repo").value,
    path: $<HTMLInputElement>("code-path").value,
    source: $<HTMLTextAreaElement>("code-source").value,
    requirements: $<HTMLTextAreaElement>("code-requirements").value,
    pyproject: $<HTMLTextAreaElement>("code-pyproject").value,
  };
}

function applyState(s: PlaygroundState): void {
  const set = (id: string, v: string | undefined) => {
    if (v !== undefined) ($(id) as HTMLInputElement | HTMLTextAreaElement).value = v;
  };
  set("issue-title", s.title);
  set("issue-body", s.body);
  set("issue-repo", s.repo);
  set("code-path", s.path);
  set("code-source", s.source);
  set("code-requirements", s.requirements);
  set("code-pyproject", s.pyproject);
  selectTab(s.tab);
}

async function permalink(): Promise<void> {
  const fragment = await encodeState(readState());
  history.replaceState(null, "", `#${fragment}`);
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    $("permalink-status").textContent = "Link copied; it holds the input, nothing is stored anywhere.";
  } catch {
    $("permalink-status").textContent = "The address bar now holds the link.";
  }
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

async function main(): Promise<void> {
  const select = $<HTMLSelectElement>("examples");
  for (const ex of EXAMPLES) {
    const option = el("option", undefined, ex.label);
    option.value = ex.id;
    select.append(option);
  }
  select.addEventListener("change", () => {
    const ex = EXAMPLES.find((e) => e.id === select.value);
    if (ex) applyState({ ...readState(), ...ex.state });
    // The menu shows the example loaded (the placeholder when none is).
    select.value = ex ? ex.id : "";
  });
  for (const name of ["issue", "code"] as const)
    $(`tab-${name}`).addEventListener("click", () => selectTab(name));
  $("tabs").addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft")
      selectTab(currentTab() === "issue" ? "code" : "issue", true);
  });
  const issueInputs = ["issue-title", "issue-body", "issue-repo"];
  const codeInputs = ["code-path", "code-source", "code-requirements", "code-pyproject"];
  const again = debounce(() => (currentTab() === "issue" ? showIssue() : showCode()), 250);
  for (const id of [...issueInputs, ...codeInputs]) $(id).addEventListener("input", again);
  $("permalink").addEventListener("click", () => void permalink());

  locateWasm({
    runtime: new URL("web-tree-sitter.wasm", location.href).href,
    grammar: new URL("tree-sitter-python.wasm", location.href).href,
  });
  engine = await createEngine();
  const linked = location.hash.length > 1;
  const fromLink = linked ? await decodeState(location.hash.slice(1)) : null;
  if (fromLink) applyState(fromLink);
  else {
    const first = EXAMPLES[0];
    applyState(first ? first.state : { tab: "issue" });
    if (first) $<HTMLSelectElement>("examples").value = first.id;
    const broken = "This link could not be read (cut short or changed): the first example is shown instead.";
    if (linked) $("permalink-status").textContent = broken; // said, not silently replaced
  }
}

main().catch((e: unknown) => {
  const s = $("status");
  s.textContent = `The engine could not start: ${(e as Error).message}`;
  s.className = "error";
});
