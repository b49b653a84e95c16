/** The zod-free defaults the command line uses without a settings file are the schema's own. */
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG as PLAIN, CONFIG_PATH as PLAIN_PATH } from "../../src/config/defaults.js";
import { CONFIG_PATH, ConfigSchema, parseConfig } from "../../src/config/schema.js";

describe("configuration defaults", () => {
  it("equal what the schema gives for an empty file", () => {
    expect(PLAIN).toEqual(ConfigSchema.parse({}));
    expect(PLAIN).toEqual(parseConfig(null).config);
    expect(PLAIN_PATH).toBe(CONFIG_PATH);
  });
});
