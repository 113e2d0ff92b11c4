#!/usr/bin/env python3
"""The English texts the Swift sources translate: every string literal (or literals joined with `+`) passed first to
a translator call — `t(…)`, `tr(…)`, `req.tr(…)`, `p.tr(…)` — or to `t.message(…)`. Prints them one per line, or with
--missing LANG, those the locale file Sources/AppCore/Resources/locales/LANG.json lacks (exit 1 if any)."""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITERAL = r'"(?:[^"\\\n]|\\.)*"'
CALL = re.compile(r'(?<![\w.])(?:t|tr|\w+\.tr)\(\s*(' + LITERAL + r'(?:\s*\+\s*' + LITERAL + r')*)')


def unquote(lit):
    return json.loads(lit)


def keys():
    found = {}
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        text = path.read_text()
        for m in CALL.finditer(text):
            parts = re.findall(LITERAL, m.group(1))
            if any("\\(" in p for p in parts):
                continue  # an interpolated literal is not a key; the check below names it
            key = "".join(unquote(p) for p in parts)
            found.setdefault(key, f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}")
    return found


def interpolated():
    out = []
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        text = path.read_text()
        for m in CALL.finditer(text):
            if "\\(" in m.group(1):
                out.append(f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}")
    return out


def main():
    found = keys()
    if len(sys.argv) == 3 and sys.argv[1] == "--missing":
        table = json.loads((ROOT / "Sources/AppCore/Resources/locales" / f"{sys.argv[2]}.json").read_text())
        missing = {k: v for k, v in found.items() if k not in table}
        for k, where in sorted(missing.items(), key=lambda kv: kv[1]):
            print(f"{where}\t{json.dumps(k, ensure_ascii=False)}")
        bad = interpolated()
        for where in bad:
            print(f"{where}\tinterpolation inside a translated text: use {{name}} and values")
        sys.exit(1 if missing or bad else 0)
    for k in sorted(found):
        print(json.dumps(k, ensure_ascii=False))


if __name__ == "__main__":
    main()
