"""Vendors hpke-js into the family app, so browsers load it as plain ES modules.

    python3 tools/vendor_hpke.py          # fetch the pinned versions with `npm pack`, rewrite
    python3 tools/vendor_hpke.py --check  # offline: the committed files match SHA256SUMS

The app has no build step and no import map (the CSP forbids inline scripts), so the bare
specifiers between the packages (`from "@hpke/common"`) become relative paths. Nothing else
in any file changes. Only the ES module files reachable from the two entry points are kept,
so a phone downloads no code it never runs. Every file's SHA-256 goes into SHA256SUMS
(`sha256sum -c SHA256SUMS` in the folder checks it too) and VENDOR.md says what was taken
from where. Upgrading means editing PACKAGES and running this again.
"""
import argparse
import hashlib
import io
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "server" / "family" / "static" / "vendor" / "hpke"
# name -> (version, folder under TARGET). @hpke/common is what the other two import.
PACKAGES = {
    "@hpke/common": ("1.10.1", "common"),
    "@hpke/core": ("1.9.0", "core"),
    "@hpke/dhkem-x25519": ("1.8.0", "dhkem-x25519"),
}
ENTRY_POINTS = ("core/mod.js", "dhkem-x25519/mod.js")
# A static import or export statement at the start of a line. Examples in the packages'
# doc comments start with " * " and are left alone.
STATEMENT = re.compile(r'^((?:import|export)\b[^;]*?\bfrom\s*)"([^"]+)"', re.MULTILINE)
SIDE_EFFECT = re.compile(r'^import\s*"([^"]+)"', re.MULTILINE)
# common reaches for Node's crypto only where globalThis.crypto is missing, which no
# browser that runs the app lacks; it is a dynamic import and is left as it is.
DYNAMIC_KEPT = {'import("crypto")'}


def npm_pack(name: str, version: str, folder: Path) -> tuple[dict, tarfile.TarFile]:
    output = subprocess.run(["npm", "pack", f"{name}@{version}", "--json"], cwd=folder,
                            check=True, capture_output=True, text=True).stdout
    info = json.loads(output)[0]
    data = (folder / info["filename"]).read_bytes()
    return info, tarfile.open(fileobj=io.BytesIO(data))


def package_files(archive: tarfile.TarFile) -> dict[str, bytes]:
    """The package's ES module build (esm/**.js) by path under esm/, and its LICENSE."""
    files = {}
    for member in archive.getmembers():
        if not member.isfile():
            continue
        if member.name == "package/LICENSE":
            files["LICENSE"] = archive.extractfile(member).read()
        elif member.name.startswith("package/esm/") and member.name.endswith(".js"):
            files[member.name.removeprefix("package/esm/")] = archive.extractfile(member).read()
    return files


def specifiers(text: str) -> list[str]:
    return [match[1] for match in STATEMENT.findall(text)] + SIDE_EFFECT.findall(text)


def rewrite(path: str, text: str) -> str:
    """Bare @hpke/... specifiers become paths relative to this file; nothing else changes."""
    def relative(match):
        specifier = match.group(2)
        if not specifier.startswith("@hpke/"):
            return match.group(0)
        folder = PACKAGES[specifier][1]
        target = posixpath.relpath(f"{folder}/mod.js", posixpath.dirname(path))
        return f'{match.group(1)}"{target if target.startswith(".") else "./" + target}"'
    return STATEMENT.sub(relative, text)


def reachable(files: dict[str, str]) -> list[str]:
    """The files a browser fetches when it imports the entry points."""
    seen, queue = set(), list(ENTRY_POINTS)
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        if path not in files:
            sys.exit(f"{path} is imported but not in the packages")
        seen.add(path)
        for specifier in specifiers(files[path]):
            if not specifier.startswith("."):
                sys.exit(f"{path} still imports the bare specifier {specifier!r}")
            queue.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), specifier)))
    return sorted(seen)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vendor():
    files, licences, sources = {}, {}, []
    with tempfile.TemporaryDirectory() as temp:
        for name, (version, folder) in PACKAGES.items():
            info, archive = npm_pack(name, version, Path(temp))
            sources.append((name, version, folder, info["integrity"]))
            for path, data in package_files(archive).items():
                if path == "LICENSE":
                    licences[folder] = data
                else:
                    files[f"{folder}/{path}"] = rewrite(f"{folder}/{path}", data.decode("utf-8"))
    keep = reachable(files)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    written = {}
    for path in keep:
        written[path] = files[path].encode("utf-8")
    for folder, data in licences.items():
        written[f"{folder}/LICENSE"] = data
    for path, data in written.items():
        (TARGET / path).parent.mkdir(parents=True, exist_ok=True)
        (TARGET / path).write_bytes(data)
    sums = "".join(f"{sha256(data)}  {path}\n" for path, data in sorted(written.items()))
    (TARGET / "SHA256SUMS").write_text(sums)
    (TARGET / "VENDOR.md").write_text(vendor_notes(sources, keep, written))
    print(f"vendored {len(keep)} modules ({sum(map(len, written.values()))} bytes) into "
          f"{TARGET.relative_to(ROOT)}")


def vendor_notes(sources, keep, written) -> str:
    rows = "\n".join(f"| `{name}` | {version} | `{folder}/` | MIT, `{folder}/LICENSE` | "
                     f"`{integrity}` |" for name, version, folder, integrity in sources)
    dynamic = sorted({match for text in written.values()
                      for match in DYNAMIC_KEPT if match.encode() in text})
    return f"""# hpke-js, vendored

[hpke-js](https://github.com/dajiaji/hpke-js) by Ajitomi Daisuke, MIT licence (each
package's `LICENSE` is next to its files). `@hpke/common` carries parts of Paul Miller's
noble-hashes and noble-curves (MIT), whose licence lines stay at the top of those files.

| package | version | folder | licence | npm tarball integrity |
| --- | --- | --- | --- | --- |
{rows}

Made by `python3 tools/vendor_hpke.py` from `npm pack` of exactly these versions: the
packages' `esm/` build, only the {len(keep)} modules reachable from `core/mod.js` and
`dhkem-x25519/mod.js`. The one change to any file: the bare specifiers `"@hpke/common"`
in import and export statements are rewritten to relative paths, because the app loads
plain ES modules with no build step and no import map. {", ".join(f"`{d}`" for d in dynamic)}
(Node's crypto, reached only where `globalThis.crypto` is missing) is left as it is.

`SHA256SUMS` holds the SHA-256 of every file here (`sha256sum -c SHA256SUMS`);
`python3 tools/vendor_hpke.py --check` and `tests/js/sync-vendor.test.mjs` check them.
"""


def check() -> int:
    bad = 0
    for line in (TARGET / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split("  ", 1)
        if not (TARGET / path).is_file() or sha256((TARGET / path).read_bytes()) != digest:
            print(f"changed or missing: {path}")
            bad += 1
    print("hpke-js: every vendored file matches SHA256SUMS" if not bad else f"{bad} files differ")
    return 1 if bad else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, without the network")
    sys.exit(check() if parser.parse_args().check else vendor())
