import { describe, expect, it } from "vitest";
import { readDependencies } from "../../../src/diagnosis/project/dependencies.js";
import { manifestKind, readManifest } from "../../../src/diagnosis/project/manifests.js";
import { parseRequirement, readRequirements } from "../../../src/diagnosis/project/requirement.js";
import { readRuns } from "../../../src/diagnosis/project/runs.js";

const brief = (path: string, text: string) =>
  readManifest(path, text).deps.map(
    (d) =>
      `${d.name}${d.extras.length ? `[${d.extras}]` : ""} ${d.spec || "*"} ${d.version ?? "-"} @${d.line}`,
  );

describe("requirement strings", () => {
  it("reads names, extras, specifiers and markers", () => {
    expect(parseRequirement('HTTPX[http2, Trio] >= 0.24, <1 ; python_version > "3.8"')).toEqual({
      name: "httpx",
      extras: ["http2", "trio"],
      spec: ">=0.24,<1",
    });
    expect(parseRequirement("Foo_Bar.baz==1.0")?.name).toBe("foo-bar-baz");
    expect(parseRequirement("pkg @ https://example.com/pkg.whl")).toEqual({
      name: "pkg",
      extras: [],
      spec: "",
    });
    expect(parseRequirement("./local/path")).toBeNull();
    expect(parseRequirement("https://example.com/x.whl")).toBeNull();
  });

  it("reads requirements files: comments, continuations, options, includes", () => {
    const r = readRequirements(
      "requirements.txt",
      "# top\n-r base.txt\n--constraint=c.txt\n-e .\n--index-url https://x\nhttpcore==1.0.5 \\\n  --hash=sha256:abc\ntrio  # pinned elsewhere\n",
      false,
    );
    expect(r.includes).toEqual([
      { path: "base.txt", constraint: false, line: 2 },
      { path: "c.txt", constraint: true, line: 3 },
    ]);
    expect(r.deps.map((d) => `${d.name} ${d.version} @${d.line}`)).toEqual([
      "httpcore 1.0.5 @6",
      "trio null @8",
    ]);
  });
});

describe("manifest formats", () => {
  it("knows manifest names", () => {
    expect(
      [
        "requirements-dev.txt",
        "requirements/prod.txt",
        "constraints.txt",
        "a/pyproject.toml",
        "uv.lock",
        "x/Pipfile.lock",
        "README.md",
      ].map(manifestKind),
    ).toEqual(["requirements", "requirements", "requirements", "pyproject", "uv.lock", "Pipfile.lock", null]);
  });

  it("reads PEP 621, optional dependencies, dependency groups and PDM/uv dev dependencies", () => {
    const text = `[project]
dependencies = [
  "httpx>=0.27",
  "trio==0.25.1",
]
[project.optional-dependencies]
db = ["psycopg[c]==3.1.10"]
[dependency-groups]
dev = ["pytest"]
[tool.pdm.dev-dependencies]
lint = ["ruff"]
[tool.uv]
dev-dependencies = ["mypy"]
`;
    expect(brief("pyproject.toml", text)).toEqual([
      "httpx >=0.27 - @3",
      "trio ==0.25.1 0.25.1 @4",
      "psycopg[c] ==3.1.10 3.1.10 @7",
      "pytest * - @9",
      "ruff * - @11",
      "mypy * - @13",
    ]);
  });

  it("reads Poetry tables and groups", () => {
    const text = `[tool.poetry.dependencies]
python = "^3.11"
httpcore = "1.0.5"
psycopg = { version = "^3.1", extras = ["c"] }
[tool.poetry.group.dev.dependencies]
"trio" = "*"
`;
    expect(brief("pyproject.toml", text)).toEqual([
      "httpcore 1.0.5 1.0.5 @3",
      "psycopg[c] ^3.1 - @4",
      "trio * - @6",
    ]);
  });

  it("reads setup.cfg, Pipfile and the lock files", () => {
    expect(
      brief(
        "setup.cfg",
        "[options]\ninstall_requires =\n    gevent>=23\n    mysqlclient\n[options.extras_require]\ntrio = trio==0.25.1\n",
      ),
    ).toEqual(["gevent >=23 - @3", "mysqlclient * - @4", "trio ==0.25.1 0.25.1 @6"]);
    expect(brief("Pipfile", '[packages]\npsycopg2-binary = "*"\ngrpcio = "==1.48.0"\n')).toEqual([
      "psycopg2-binary * - @2",
      "grpcio ==1.48.0 1.48.0 @3",
    ]);
    expect(brief("Pipfile.lock", '{"default": {"trio": {"version": "==0.25.1"}}, "develop": {}}')).toEqual([
      "trio ==0.25.1 0.25.1 @1",
    ]);
    const lock =
      '[[package]]\nname = "httpcore"\nversion = "1.0.5"\n\n[[package]]\nname = "trio"\nversion = "0.25.1"\n';
    for (const f of ["poetry.lock", "uv.lock", "pdm.lock"])
      expect(brief(f, lock)).toEqual(["httpcore ==1.0.5 1.0.5 @2", "trio ==0.25.1 0.25.1 @6"]);
  });

  it("reports malformed manifests instead of throwing", () => {
    expect(readManifest("pyproject.toml", "[project\ndependencies = [").error).toMatch(/^not valid TOML/);
    expect(readManifest("Pipfile.lock", "{ nope").error).toMatch(/^not valid JSON/);
    expect(readManifest("uv.lock", "x".repeat(5 * 1024 * 1024)).error).toBe("larger than 4 MiB");
  });

  it("finds each entry's line from one index: inline arrays, repeated names, lock order", () => {
    expect(
      brief(
        "pyproject.toml",
        '[project]\ndependencies = ["gevent>=23", "trio==0.25.1"]\n[project.optional-dependencies]\nx = [\n  "httpx[trio]",\n]\n',
      ),
    ).toEqual(["gevent >=23 - @2", "trio ==0.25.1 0.25.1 @2", "httpx[trio] * - @5"]);
    // A longer string that starts with the same name is not taken for it.
    expect(
      brief("pyproject.toml", '[project]\ndependencies = [\n  "geventhttpclient",\n  "gevent",\n]\n'),
    ).toEqual(["geventhttpclient * - @3", "gevent * - @4"]);
    const lock =
      '[[package]]\nname = "trio"\nversion = "0.22.0"\n\n[[package]]\nname = "x"\n\n[[package]]\nname = "trio"\nversion = "0.25.1"\n';
    expect(brief("uv.lock", lock)).toEqual(["trio ==0.22.0 0.22.0 @2", "trio ==0.25.1 0.25.1 @9"]);
  });

  it("reads at most 5,000 entries of one manifest and says how many it left", () => {
    const names = Array.from({ length: 5003 }, (_, i) => `pkg${i} = "^1"`).join("\n");
    const r = readManifest("Pipfile", `[packages]\n${names}\n`);
    expect(r.deps).toHaveLength(5000);
    expect(r.deps.at(-1)?.line).toBe(5001);
    expect(r.error).toBe("more than 5,000 entries: the first 5,000 were read, 3 more were not");
    const req = readManifest("requirements.txt", Array.from({ length: 5001 }, (_, i) => `p${i}`).join("\n"));
    expect([req.deps.length, req.error]).toEqual([
      5000,
      "more than 5,000 entries: the first 5,000 were read, 1 more were not",
    ]);
  });

  it("stays linear on hostile requirement lines", () => {
    const line = `${"a".repeat(200_000)}[${",".repeat(100_000)}`;
    const r = readRequirements("requirements.txt", `${line}\n${"\\\n".repeat(50_000)}httpx\n`, false);
    expect(r.deps.map((d) => d.name)).toEqual(["httpx"]);
  });
});

describe("dependencies across manifests", () => {
  it("follows includes, lets a lock win over a range, and keeps constraints from installing", () => {
    const files = new Map([
      ["requirements.txt", "-r requirements/base.txt\n-c constraints.txt\nhttpx>=0.24\n"],
      ["requirements/base.txt", "-r ../requirements.txt\ngevent\n"],
      ["constraints.txt", "trio==0.25.1\n"],
      ["poetry.lock", '[[package]]\nname = "httpx"\nversion = "0.27.0"\n'],
    ]);
    const deps = readDependencies(files);
    expect(deps.has("gevent")).toBe(true);
    expect(deps.has("trio")).toBe(false);
    expect(deps.version("trio")?.version).toBe("0.25.1");
    expect(deps.version("httpx")).toMatchObject({ version: "0.27.0", locked: true, file: "poetry.lock" });
    expect(deps.entry("httpx")).toMatchObject({ file: "requirements.txt", line: 3 });
    expect(deps.inRange("httpx", ">=0.27")).toBe(true);
    expect(deps.inRange("gevent", ">=23")).toBeNull();
  });
});

describe("patched runs", () => {
  it("reads gunicorn, celery and uWSGI in every place they are configured", () => {
    const runs = (path: string, text: string) =>
      readRuns(path, text).map((r) => `${r.via}:${r.patcher}@${r.line}`);
    expect(runs("gunicorn.conf.py", 'bind = ":80"\nworker_class = "gevent"\n')).toEqual([
      "gunicorn:gevent@2",
    ]);
    expect(runs("conf/gunicorn_config.py", "worker_class = 'uvicorn.workers.UvicornWorker'\n")).toEqual([]);
    expect(
      runs("Procfile", "web: gunicorn app:app -k eventlet -w 1\nworker: celery -A x worker -Pgevent\n"),
    ).toEqual(["gunicorn:eventlet@1", "celery:gevent@2"]);
    expect(
      runs(
        "Dockerfile",
        'CMD ["gunicorn", "--worker-class", "geventwebsocket.gunicorn.workers.GeventWebSocketWorker", "app:app"]\n',
      ),
    ).toEqual(["gunicorn:gevent@1"]);
    expect(runs("Dockerfile", 'ENV GUNICORN_CMD_ARGS="-k gevent"\n')).toEqual(["gunicorn:gevent@1"]);
    expect(
      runs("docker-compose.yml", "services:\n  w:\n    command: celery -A t worker --pool=eventlet\n"),
    ).toEqual(["celery:eventlet@3"]);
    expect(runs("deploy/uwsgi.ini", "[uwsgi]\ngevent = 100\n")).toEqual(["uwsgi:gevent@2"]);
    expect(runs("run.sh", "uwsgi --http :80 --gevent 100 -w app\n")).toEqual(["uwsgi:gevent@1"]);
    expect(runs("pyproject.toml", '[tool.pdm.scripts]\nweb = "gunicorn -k gevent app:app"\n')).toEqual([
      "gunicorn:gevent@2",
    ]);
    expect(runs("README.md", "gunicorn -k gevent app:app\n")).toEqual([]);
    expect(runs("Procfile", "# gunicorn -k gevent\nweb: gunicorn -k sync app:app\n")).toEqual([]);
  });

  it("reads locust runs: a command line or locust.conf", () => {
    const runs = (path: string, text: string) =>
      readRuns(path, text).map((r) => `${r.via}:${r.patcher}@${r.line}`);
    expect(runs("load/run.sh", "#!/bin/sh\nlocust -f locustfile.py --headless -u 50\n")).toEqual([
      "locust:gevent@2",
    ]);
    expect(runs("locust.conf", "# settings\nlocustfile = tasks.py\nheadless = true\n")).toEqual([
      "locust:gevent@2",
    ]);
    expect(runs("Makefile", "test:\n\tpytest -k locust_helpers\n")).toEqual([]);
  });

  it("a run is a program started: not an install line, a user name, or --version / --help", () => {
    const runs = (path: string, text: string) =>
      readRuns(path, text).map((r) => `${r.via}:${r.patcher}@${r.line}`);
    const none = [
      "RUN pip install locust gevent",
      "RUN uv pip install 'locust>=2' && locust --version",
      "RUN useradd --create-home locust",
      "RUN chown -R locust /opt/venv",
      "USER locust",
      "RUN gunicorn --version",
      "RUN celery --help",
    ];
    for (const line of none) expect(runs("Dockerfile", `${line}\n`), line).toEqual([]);
    expect(runs("run.sh", "locust --help\n")).toEqual([]);
    expect(runs("run.sh", "poetry add locust\n")).toEqual([]);
    expect(runs("run.sh", "uv run locust -f tasks.py\n")).toEqual(["locust:gevent@1"]);
    expect(runs("run.sh", "LOCUST_HOST=x locust -f tasks.py\n")).toEqual(["locust:gevent@1"]);
    expect(runs("run.sh", "cd load && exec locust -f tasks.py\n")).toEqual(["locust:gevent@1"]);
    expect(runs("run.sh", "python -m celery -A proj worker -P gevent\n")).toEqual(["celery:gevent@1"]);
    expect(runs("Makefile", "load:\n\t@locust -f tasks.py\n")).toEqual(["locust:gevent@2"]);
    expect(runs("Dockerfile", 'ENTRYPOINT ["locust", "-f", "tasks.py"]\n')).toEqual(["locust:gevent@1"]);
  });

  it("scopes a run to the folder of its config", () => {
    expect(readRuns("services/api/Procfile", "web: gunicorn -k gevent a:b\n")[0]?.scope).toBe("services/api");
  });
});
