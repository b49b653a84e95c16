import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const docker = readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8");

describe("Dockerfile", () => {
  it("builds in one stage and runs the compiled App as a non-root user in another", () => {
    expect(docker.match(/^FROM node:24-bookworm-slim/gm)).toHaveLength(2);
    expect(docker).toMatch(/ENV NODE_ENV=production HOST=0\.0\.0\.0/);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*/m);
    expect(docker).toContain("/healthz");
    expect(docker).toMatch(/npm ci --omit=dev/);
    expect(docker).toMatch(/CMD \["node", "dist\/main\.js"\]/);
    // The build is the package's own (TypeScript, then the grammar copied into dist/).
    expect(docker).toContain("npm run build");
    expect(docker).toContain("COPY scripts ./scripts");
  });
  it("ships the same layout the server test runs from: dist, package.json, app.yml, node_modules", () => {
    expect(docker).toContain("COPY --from=build /app/dist ./dist");
    expect(docker).toContain("COPY app.yml ./");
    expect(docker).toContain("COPY package.json package-lock.json ./");
  });
});
