"""Regenerate the README's pictures: docs/img/region.png (default `zonesim run`) and
docs/img/compare.png, docs/img/map.png (default `zonesim compare`).

    python scripts/make_readme_figure.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sim.cli.main import main  # noqa: E402

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        rc = main(["run", "--seeds", "10", "--out", str(out), "--no-progress"])
        if rc:
            sys.exit(rc)
        cmp = Path(tmp) / "compare"
        rc = main(["compare", "--out", str(cmp)])
        if rc:
            sys.exit(rc)
        IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(out / "region.png", IMG / "region.png")
        shutil.copy(cmp / "trajectories.png", IMG / "compare.png")
        shutil.copy(cmp / "map.png", IMG / "map.png")
        print(f"wrote {IMG}/region.png, compare.png, map.png")
