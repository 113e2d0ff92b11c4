"""Every English text the Swift sources pass to a translator has its Spanish in the locale file, and no translated
text is built by interpolation (the locale file could not match it)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_translated_text_has_spanish():
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "locale_keys.py"), "--missing", "es"],
                         capture_output=True, text=True)
    assert run.returncode == 0, "missing from Sources/AppCore/Resources/locales/es.json:\n" + run.stdout
    every = subprocess.run([sys.executable, str(ROOT / "scripts" / "locale_keys.py")], capture_output=True, text=True)
    assert len(every.stdout.splitlines()) > 150
