/** Manifests as Windows tools write them: UTF-16 with a BOM, UTF-8 with a BOM; anything else with NULs is not text. */
import { describe, expect, it } from "vitest";
import { decodeText } from "../../src/cli/source-file.js";

const text = "gevent==24.2.1\r\npsycopg2==2.9.9\r\n";

describe("decodeText", () => {
  it("reads UTF-16 little- and big-endian with a BOM, and UTF-8 with or without one", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(le)).toBe(text);
    expect(decodeText(be)).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).toBe(text);
    expect(decodeText(Buffer.from(text))).toBe(text);
  });

  it("refuses bytes with NULs and no BOM (UTF-16 without one, or binary)", () => {
    expect(decodeText(Buffer.from(text, "utf16le"))).toBeNull();
    expect(decodeText(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]))).toBeNull();
  });
});
