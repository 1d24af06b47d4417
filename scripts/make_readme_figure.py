"""Regenerate docs/img/region.png (the README's picture) from a default `zonesim run`.

    python scripts/make_readme_figure.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.cli import main  # noqa: E402

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        rc = main(["run", "--seeds", "10", "--out", str(out), "--no-progress"])
        if rc:
            sys.exit(rc)
        IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / "region.png", IMG / "region.png")
        print(f"wrote {IMG / 'region.png'}")
