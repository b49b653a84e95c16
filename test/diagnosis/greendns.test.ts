import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { readIssueText } from "../../src/diagnosis/text/evidence.js";
import { greendnsSetting } from "../../src/diagnosis/text/greendns.js";

const setting = (text: string) => greendnsSetting(readIssueText(text));

describe("EVENTLET_NO_GREENDNS as a report sets it", () => {
  it.each([
    ["EVENTLET_NO_GREENDNS=1 python app.py", "1", false],
    ["export EVENTLET_NO_GREENDNS=true", "true", false],
    ['os.environ["EVENTLET_NO_GREENDNS"] = "1"', "1", false],
    ["  EVENTLET_NO_GREENDNS: yes", "yes", true],
    ["ENV EVENTLET_NO_GREENDNS=YES", "YES", true],
    ["`EVENTLET_NO_GREENDNS=Yes` fixed it", "Yes", true],
  ])("%s → %s", (line, value, honoured) => {
    expect(setting(`some text\n${line}\n`)).toMatchObject({ value, honoured, line: 2 });
  });

  it("is not a mention without a value", () => {
    expect(setting("Does EVENTLET_NO_GREENDNS help here?")).toBeNull();
    expect(setting("set EVENTLET_NO_GREENDNS")).toBeNull();
  });

  it("stays linear on a long hostile line", () => {
    const line = "EVENTLET_NO_GREENDNS ".repeat(50_000);
    expect(setting(line)).toBeNull();
  });

  it("tells a reporter who set 1 that only yes works, and leads with it", async () => {
    const text = readFileSync(
      new URL(
        "../fixtures/rules/trio-eventlet-greensocket/issue-pos-no-greendns-set-to-1.md",
        import.meta.url,
      ),
      "utf8",
    );
    const engine = await createEngine();
    const f = engine.triage(text).findings.find((x) => x.rule === "trio-eventlet-greensocket");
    const first = f?.explanation.fixes[0];
    expect(first?.id).toBe("trio-eventlet-greensocket/eventlet-greendns");
    expect(first?.text).toContain("`EVENTLET_NO_GREENDNS=1`: eventlet honours only `yes`");
  });

  it("does not offer the variable again to a reporter who set yes", async () => {
    const text = readFileSync(
      new URL(
        "../fixtures/rules/trio-eventlet-greensocket/issue-pos-no-greendns-set-to-1.md",
        import.meta.url,
      ),
      "utf8",
    ).replace("EVENTLET_NO_GREENDNS=1", "EVENTLET_NO_GREENDNS=yes");
    const engine = await createEngine();
    const f = engine.triage(text).findings.find((x) => x.rule === "trio-eventlet-greensocket");
    expect(f?.explanation.fixes.map((x) => x.id)).not.toContain(
      "trio-eventlet-greensocket/eventlet-greendns",
    );
    expect(f?.explanation.thread?.applied.map((a) => a.fix.id)).toEqual([
      "trio-eventlet-greensocket/eventlet-greendns",
    ]);
    expect(f?.explanation.fixes.length).toBeGreaterThan(0);
  });
});
