"""Copy the parts of USWDS the portal uses from node_modules into static/vendor/uswds/.

Run by `make vendor` after `npm ci`. The result is committed, so running the site never needs
npm. We copy the compiled CSS and JS, every font and image the CSS refers to (whitenoise's
manifest storage refuses a stylesheet whose url() targets are missing), and the few images our
templates use directly (the banner). Nothing else: the full dist is ~20 MB.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "node_modules" / "@uswds" / "uswds" / "dist"
TARGET = ROOT / "static" / "vendor" / "uswds"
FILES = ["css/uswds.min.css", "js/uswds.min.js", "js/uswds-init.min.js"]
# Used by templates/base.html (the official-website banner).
TEMPLATE_IMAGES = ["img/us_flag_small.png", "img/icon-dot-gov.svg", "img/icon-https.svg"]


def css_references(css: str) -> list[str]:
    found = []
    for ref in re.findall(r"url\(([^)]+)\)", css):
        ref = ref.strip("'\" ")
        if ref.startswith(("data:", "#", "http")):
            continue
        found.append(ref.split("?")[0].split("#")[0].removeprefix("../"))
    return sorted(set(found))


def main() -> int:
    if not DIST.exists():
        print("node_modules/@uswds/uswds is missing: run `npm ci` first.", file=sys.stderr)
        return 1
    if TARGET.exists():
        shutil.rmtree(TARGET)
    css = (DIST / "css" / "uswds.min.css").read_text(encoding="utf-8")
    wanted = FILES + TEMPLATE_IMAGES + css_references(css)
    total = 0
    for rel in wanted:
        source = DIST / rel
        dest = TARGET / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel in FILES:
            # Drop the source-map comment: we do not ship the maps, and the manifest storage of
            # collectstatic refuses a reference to a missing file.
            text = source.read_text(encoding="utf-8")
            text = re.sub(r"\s*(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$", "\n", text)
            dest.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(source, dest)
        total += dest.stat().st_size
    version = (DIST.parent / "package.json").read_text(encoding="utf-8")
    match = re.search(r'"version":\s*"([^"]+)"', version)
    license_file = DIST.parent / "LICENSE.md"
    if license_file.exists():
        shutil.copyfile(license_file, TARGET / "LICENSE.md")
    (TARGET / "VERSION").write_text((match.group(1) if match else "unknown") + "\n", encoding="utf-8")
    print(f"vendored {len(wanted)} USWDS files, {total / 1024:.0f} KiB, into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
