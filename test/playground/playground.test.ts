/// <reference lib="dom" />
/**
 * The playground in a real browser (Debian's Chromium through playwright-core, headless, kept off
 * the network): a corpus issue gives the App's comment, a risky file gets its inline comment on the
 * right line, a permalink reproduces the result, and no request leaves the page's own server.
 * Screenshots of both tabs go to docs/img/ for the README.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser) {
  if (process.env.ASYNC_DOCTOR_REQUIRE_BROWSER === "1")
    throw new Error(`a browser is required (ASYNC_DOCTOR_REQUIRE_BROWSER=1) but ${CHROMIUM} does not exist`);
  process.stderr.write(`playground tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium)\n`);
}

/** Flags that keep Chromium off the network and quiet: only the test's loopback server answers. */
const FLAGS = [
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-default-apps",
  "--disable-domain-reliability",
  "--disable-sync",
  "--metrics-recording-only",
  "--no-first-run",
  "--no-pings",
  "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

type Browser = import("playwright-core").Browser;
type Page = import("playwright-core").Page;

let server: Server;
let base = "";
let browser: Browser;
const outside: string[] = [];
let ownRequests = 0;
const requested: string[] = [];

beforeAll(async () => {
  if (!haveBrowser) return;
  const { servePlayground } = (await import(`${ROOT}dist/server/static.js`)) as {
    servePlayground: (req: unknown, res: unknown) => boolean;
  };
  server = createServer((req, res) => {
    if (!servePlayground(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/playground/`;
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(url = base): Promise<{ page: Page; readyMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (r) => {
    requested.push(r.url());
    if (r.url().startsWith(base)) ownRequests++;
    else if (!r.url().startsWith("data:")) outside.push(r.url());
  });
  const t = Date.now();
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
  return { page, readyMs: Date.now() - t };
}

/** Types into the fields (the page diagnoses as the input changes) and waits for the diagnosis. */
async function paste(page: Page, fields: Record<string, string>): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.diagnoses));
  for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
  await page.waitForFunction((n) => Number(document.body.dataset.diagnoses) > n, before);
  await page.waitForTimeout(400); // the last keystroke's diagnosis (debounced 250 ms)
}

async function pick(page: Page, id: string): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.diagnoses));
  await page.selectOption("#examples", id);
  await page.waitForFunction((n) => Number(document.body.dataset.diagnoses) > n, before);
}

describe.skipIf(!haveBrowser)("the playground in a browser", () => {
  it("loads, and renders the founding report's comment: headline, fixes and evidence", async () => {
    const { page, readyMs } = await open();
    const bundle = ["app.js", "style.css", "index.html", "web-tree-sitter.wasm", "tree-sitter-python.wasm"]
      .map((f) => statSync(`${ROOT}dist/playground/${f}`).size)
      .reduce((a, b) => a + b, 0);
    process.stdout.write(
      `playground: bundle ${(bundle / 1024 / 1024).toFixed(2)} MiB, page ready with its first diagnosis in ${readyMs} ms\n`,
    );
    expect(bundle).toBeLessThan(3 * 1024 * 1024);
    // Start from another case, then paste the founding report from the corpus over it.
    await pick(page, "issue-psycogreen");
    expect(await page.locator("#issue-findings td.rule").allTextContents()).toEqual(["gevent-psycopg2"]);
    const corpus = readFileSync(`${ROOT}test/fixtures/issues/001-trio-3119-mysql-gevent-macos.md`, "utf8");
    const thread = corpus.slice(corpus.indexOf("\n---\n", 4) + 5).trimStart();
    const [heading, ...rest] = thread.split("\n");
    await paste(page, {
      "#issue-title": (heading ?? "").replace(/^# /, ""),
      "#issue-body": rest.join("\n").trimStart(),
      "#issue-repo": "python-trio/trio",
    });
    const comment = page.locator("#issue-comment");
    // The answer first: the cause in one sentence, the one best fix; the rest folded.
    const paragraphs = await comment.locator(":scope > p").allTextContents();
    expect(paragraphs[0]).toContain("async-doctor");
    expect(paragraphs[0]).toContain("not a bug in the library atop the traceback");
    // Lab cases httpcore-1.0.9-macos and fix-uninstall-trio-macos: uninstalling trio, never an httpcore upgrade.
    expect(paragraphs[1]).toMatch(/^Fix: .*pip uninstall trio/);
    const text = (await comment.textContent()) ?? "";
    expect(text).not.toContain("httpcore>=1.0.6");
    expect(await comment.locator("details li").count()).toBeGreaterThanOrEqual(1);
    // Each fix says what shows it works: the lab case, with what it ran on.
    const shown = await page.locator("#issue-fixes tr").allTextContents();
    expect(shown[0]).toContain("trio-unsupported-platform/uninstall-trio-macos");
    expect(shown[0]).toContain("httpcore-1.0.9-macos (trio 0.34.0, httpcore 1.0.9");
    expect(shown[0]).toContain("macOS simulated");
    expect(await comment.locator("details summary").first().textContent()).toContain("evidence");
    expect(await page.locator("#issue-findings td.rule").allTextContents()).toEqual([
      "trio-unsupported-platform",
    ]);
    expect(await page.locator("#issue-labels .label").allTextContents()).toEqual(["concurrency-conflict"]);
    const marked = await page.locator("#issue-evidence .line.evidence .code").allTextContents();
    expect(marked.some((l) => l.includes('raise NotImplementedError("unsupported platform")'))).toBe(true);
    mkdirSync(`${ROOT}docs/img`, { recursive: true });
    await page.screenshot({ path: `${ROOT}docs/img/playground-issue.png` });
    await page.close();
  });

  it("puts the review comment of a risky file on the line it anchors to, with the suggestion as a diff", async () => {
    const { page } = await open();
    await page.click("#tab-code");
    await paste(page, {
      "#code-path": "app/main.py",
      "#code-source": "import requests\nfrom gevent import monkey\n\nmonkey.patch_all()\n",
      "#code-requirements": "",
    });
    const comment = page.locator(".review-comment[data-rule=gevent-patch-late-ssl]");
    await expect(comment.count()).resolves.toBe(1);
    // The comment follows the line it is about: `monkey.patch_all()` on line 4.
    const anchored = await comment.evaluate(
      (c) => (c.previousElementSibling as HTMLElement | null)?.dataset.line,
    );
    expect(anchored).toBe("4");
    expect(await page.locator("#review-source .line[data-line='4'] .code").textContent()).toBe(
      "monkey.patch_all()",
    );
    expect(await page.locator("#code-check").textContent()).toContain("gevent-patch-late-ssl");
    // A project file's finding lands on the manifest's line: trio's, where the fix (uninstalling it) is made.
    await pick(page, "code-httpx");
    const manifest = page.locator(
      "#review-requirements-txt .review-comment[data-rule=gevent-trio-same-process]",
    );
    await expect(manifest.count()).resolves.toBe(1);
    expect(
      await manifest.evaluate((c) => (c.previousElementSibling as HTMLElement | null)?.dataset.line),
    ).toBe("4");
    // An exact edit shows as the diff it applies: `use_pure=True` on MySQL Connector's connect().
    await pick(page, "code-mysql");
    await expect(page.locator("#review-source pre.diff .add").first().textContent()).resolves.toContain(
      "use_pure=True",
    );
    await page.screenshot({ path: `${ROOT}docs/img/playground-code.png` });
    await page.close();
  });

  it("a permalink opens the same input and the same result", async () => {
    const { page } = await open();
    // The menu names the example shown: the first one at the start, then the one picked.
    expect(await page.inputValue("#examples")).not.toBe("");
    await pick(page, "issue-epoll");
    expect(await page.inputValue("#examples")).toBe("issue-epoll");
    const before = await page.locator("#issue-comment").innerHTML();
    await page.click("#permalink");
    await page.waitForFunction(() => location.hash.startsWith("#v1."));
    const link = page.url();
    await page.close();
    const again = await open(link);
    expect(await again.page.locator("#issue-comment").innerHTML()).toBe(before);
    expect(await again.page.inputValue("#issue-title")).toContain("epoll");
    await again.page.close();
  });

  it("is operable from the keyboard: labelled fields, tabs with arrow keys", async () => {
    const { page } = await open();
    for (const id of ["issue-title", "issue-body", "issue-repo", "code-source", "code-requirements"])
      expect(await page.locator(`label[for=${id}]`).count()).toBe(1);
    await page.focus("#tab-issue");
    await page.keyboard.press("ArrowRight");
    expect(await page.getAttribute("#tab-code", "aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-code");
    expect(await page.isVisible("#panel-code")).toBe(true);
    await page.setViewportSize({ width: 380, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it("a hostile link runs no script, and a link that inflates to megabytes is refused", async () => {
    const link = (json: string) => `${base}#v1.${deflateRawSync(Buffer.from(json)).toString("base64url")}`;
    const evil = JSON.stringify({
      tab: "issue",
      title: '<img src=x onerror="window.__pwned=1">',
      body: 'gevent\n```\nNotImplementedError: unsupported platform\n```\n<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">',
    });
    const a = await open(link(evil));
    expect(await a.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await a.page.locator("#issue-comment script, #issue-comment [onerror]").count()).toBe(0);
    await a.page.close();
    const bomb = JSON.stringify({ tab: "issue", title: "t", body: "a".repeat(40 * 1024 * 1024) });
    const b = await open(link(bomb));
    // Refused: the page starts from its first example instead, and says why.
    expect(await b.page.inputValue("#issue-title")).toContain("trio");
    expect(await b.page.textContent("#permalink-status")).toContain("could not be read");
    await b.page.close();
    const cut = await open(`${base}#v1.AAAA`);
    expect(await cut.page.textContent("#permalink-status")).toContain("could not be read");
    await cut.page.close();
  });

  it("sent no request anywhere but its own server", () => {
    // The listener saw the page's own requests (page, script, style, both WebAssembly files, per page).
    expect(ownRequests).toBeGreaterThanOrEqual(5);
    expect(outside).toEqual([]);
    // Not even a favicon that would answer 404: the page declares an empty one.
    expect(requested.filter((u) => u.endsWith("/favicon.ico"))).toEqual([]);
  });
});
