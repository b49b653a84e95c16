// The project benchmark tree: 64 MiB of Python in packages, with manifests (requirements with an
// include, pyproject, uv.lock), run configs (gunicorn in a subfolder, a Procfile) and an entry
// module that patches and imports every package. 5 % of the modules are relevant: an httpx
// client, a mysql-connector caller, or a guarded import of a package module that imports trio.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILE_BYTES = 32 * 1024;
const PER_PACKAGE = 50;

function filler(i) {
  const parts = [
    `"""Module ${i}: generated for the benchmark."""\nimport os\nimport json\n\nfrom . import helpers\n\n`,
  ];
  let n = 0;
  let size = parts[0].length;
  while (size < FILE_BYTES) {
    const block = `def handler_${i}_${n}(request, limit=10):\n    """Return the first items."""\n    data = json.loads(request.body)\n    items = [x for x in data.get("items", []) if x]\n    return {"count": len(items[:limit]), "cwd": os.getcwd()}\n\n\nclass Model${i}_${n}:\n    def __init__(self, name):\n        self.name = name\n\n    def __repr__(self):\n        return f"Model({self.name!r})"\n\n`;
    parts.push(block);
    size += block.length;
    n++;
  }
  return parts.join("");
}

const RELEVANT = [
  (i) => `import httpx\n\n\ndef fetch_${i}(url):\n    return httpx.get(url, timeout=5)\n\n${filler(i)}`,
  (i) =>
    `import mysql.connector\n\n\ndef connect_${i}():\n    return mysql.connector.connect(host="db", user="u${i}")\n\n${filler(i)}`,
  (i) =>
    `try:\n    from ._trio_backend import run_${i}\nexcept ImportError:\n    run_${i} = None\n\n${filler(i)}`,
];

function uvLock(n) {
  const out = ["version = 1", 'requires-python = ">=3.10"', ""];
  const pinned = [
    ["httpcore", "1.0.5"],
    ["httpx", "0.27.0"],
    ["trio", "0.25.1"],
    ["gevent", "24.2.1"],
    ["mysql-connector-python", "8.4.0"],
  ];
  for (let i = 0; i < n; i++) pinned.push([`dep-${i}`, `1.${i % 10}.0`]);
  for (const [name, version] of pinned)
    out.push(
      "[[package]]",
      `name = "${name}"`,
      `version = "${version}"`,
      'source = { registry = "https://pypi.org/simple" }',
      "",
    );
  return out.join("\n");
}

export function buildProjectTree(root, targetBytes, relevantEvery) {
  const stamp = join(root, ".complete");
  const key = `${targetBytes}/${FILE_BYTES}/${relevantEvery}/2`;
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return;
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(root, "web"), { recursive: true });
  mkdirSync(join(root, "requirements"), { recursive: true });
  writeFileSync(join(root, "requirements.txt"), "-r requirements/base.txt\ngevent==24.2.1\n");
  writeFileSync(
    join(root, "requirements/base.txt"),
    "httpx==0.27.0\nhttpcore==1.0.5\ntrio==0.25.1\nmysql-connector-python==8.4.0\n",
  );
  writeFileSync(
    join(root, "pyproject.toml"),
    '[project]\nname = "benchapp"\nversion = "1.0.0"\ndependencies = ["httpx>=0.27", "mysql-connector-python>=8"]\n\n[project.optional-dependencies]\ntrio = ["trio>=0.25"]\n',
  );
  writeFileSync(join(root, "uv.lock"), uvLock(300));
  writeFileSync(join(root, "web/gunicorn.conf.py"), 'worker_class = "gevent"\nworkers = 4\n');
  writeFileSync(join(root, "Procfile"), "worker: python worker.py\n");
  const packages = new Map();
  let total = 0;
  for (let i = 0; total < targetBytes; i++) {
    const pkg = `pkg${Math.floor(i / PER_PACKAGE)}`;
    const dir = join(root, pkg);
    if (i % PER_PACKAGE === 0) {
      mkdirSync(dir, { recursive: true });
      packages.set(pkg, []);
      writeFileSync(join(dir, "helpers.py"), "import os\n\nHOME = os.environ.get('HOME')\n");
      writeFileSync(
        join(dir, "_trio_backend.py"),
        "import trio\n\n\ndef run_0(fn):\n    return trio.run(fn)\n",
      );
    }
    const text = i % relevantEvery === 0 ? RELEVANT[(i / relevantEvery) % RELEVANT.length](i) : filler(i);
    writeFileSync(join(dir, `mod_${i}.py`), text);
    packages.get(pkg).push(`mod_${i}`);
    total += Buffer.byteLength(text);
  }
  for (const [pkg, mods] of packages)
    writeFileSync(join(root, pkg, "__init__.py"), `from . import (\n    ${mods.join(",\n    ")},\n)\n`);
  writeFileSync(
    join(root, "worker.py"),
    `from gevent import monkey\nmonkey.patch_all()\n\n${[...packages.keys()].map((p) => `import ${p}`).join("\n")}\n`,
  );
  writeFileSync(stamp, key);
}
