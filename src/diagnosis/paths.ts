/**
 * Test files: regression tests of the very patterns the rules look for (a test that patches
 * late on purpose) would drown real findings, so the faces leave them out unless asked.
 */

const TEST_DIRS = new Set(["test", "tests", "testing", "__tests__"]);

export function isTestPath(path: string): boolean {
  const parts = path.replace(/\\/g, "/").split("/");
  const file = parts[parts.length - 1] ?? "";
  if (parts.slice(0, -1).some((d) => TEST_DIRS.has(d.toLowerCase()))) return true;
  return file.startsWith("test_") || file.endsWith("_test.py") || file === "conftest.py";
}

/** Is the file inside package `pkg` (a folder of that name on its path, outside site-packages)? */
export function insidePackage(path: string, pkg: string): boolean {
  const dirs = path.replace(/\\/g, "/").split("/").slice(0, -1);
  return dirs.includes(pkg) && !dirs.includes("site-packages");
}
