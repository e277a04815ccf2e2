// The vendored hpke-js is exactly what vendor/hpke/SHA256SUMS records, and a browser can
// load it as it is: no file outside the list, no bare specifier left in an import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const VENDOR = fileURLToPath(new URL("../../server/family/static/vendor/hpke/", import.meta.url));
const listed = new Map(readFileSync(join(VENDOR, "SHA256SUMS"), "utf8").trim().split("\n")
  .map((line) => line.split("  ").reverse()));

function filesUnder(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? filesUnder(join(folder, entry.name)) : [relative(VENDOR, join(folder, entry.name))]);
}

test("every vendored file matches its recorded SHA-256", () => {
  for (const [path, digest] of listed) {
    const actual = createHash("sha256").update(readFileSync(join(VENDOR, path))).digest("hex");
    assert.equal(actual, digest, `${path} changed since it was vendored`);
  }
});

test("every file in the folder is recorded, the licences included", () => {
  const unlisted = filesUnder(VENDOR)
    .filter((path) => !listed.has(path) && path !== "SHA256SUMS" && path !== "VENDOR.md");
  assert.deepEqual(unlisted, []);
  for (const name of ["common", "core", "dhkem-x25519"]) assert.ok(listed.has(`${name}/LICENSE`));
});

test("no vendored module imports a bare specifier a browser could not resolve", () => {
  const statement = /^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm;
  for (const path of listed.keys()) {
    if (!path.endsWith(".js")) continue;
    for (const [, specifier] of readFileSync(join(VENDOR, path), "utf8").matchAll(statement)) {
      assert.ok(specifier.startsWith("./") || specifier.startsWith("../"), `${path}: ${specifier}`);
    }
  }
});
