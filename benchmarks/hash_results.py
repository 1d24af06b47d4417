"""SHA-256 of full results tables (every value written with ``%.17g``): a bit-identity check
stricter than tests/test_golden.py, for optimisations that must not change results.

    python benchmarks/hash_results.py [--years 10] [--out hashes.json] [--check hashes.json]

Runs every bundled package on the default world (seed 7), baseline and guangxi-23 on two more
seeds for 20 years, a synthetic 10k-agent world (``synthetic:14,8500,75000``, the scaling
benchmark's, lazy handles, 20 years), and an eager model's firm pool after 6 years. Prints one
hash per run; ``--check`` compares with a file written by ``--out`` and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from sim.experiments.runner import simulate
from sim.model.zonemodel import ZoneModel
from sim.scenario.packages import load_package
from sim.scenario.world import load_world


def digest(df) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.17g")
    return hashlib.sha256(buf.getvalue().encode()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--out")
    ap.add_argument("--check")
    ap.add_argument("--only", help="comma-separated package names (default: all)")
    args = ap.parse_args()
    world = load_world("guangxi")
    hashes: dict[str, str] = {}
    names = sorted(p.stem for p in (ROOT / "scenarios" / "packages").glob("*.yaml"))
    if args.only:
        names = args.only.split(",")
    for name in names:
        hashes[f"{name}/7/{args.years}"] = digest(simulate(world, load_package(name), None, 7, args.years))
        print(name, hashes[f"{name}/7/{args.years}"][:16], flush=True)
    if not args.only:
        for name in ("baseline", "guangxi-23"):
            for seed in (1, 20210):
                hashes[f"{name}/{seed}/20"] = digest(simulate(world, load_package(name), None, seed, 20))
        syn = load_world("synthetic:14,8500,75000")
        m = ZoneModel(world=syn, rng=1, agent_handles="lazy")
        for _ in range(20):
            m.step()
        hashes["synthetic10k/1/20"] = digest(m.results())
        m = ZoneModel(world=world, rng=5, agent_handles="eager")
        for _ in range(6):
            m.step()
        f = m.firms
        h = hashlib.sha256()
        for col in sorted(f._columns):
            h.update(np.ascontiguousarray(getattr(f, col)[:f.n]).tobytes())
        h.update(digest(m.results()).encode())
        hashes["eager-pool/5/6"] = h.hexdigest()
    if args.out:
        Path(args.out).write_text(json.dumps(hashes, indent=1))
    if args.check:
        want = json.loads(Path(args.check).read_text())
        bad = [k for k in hashes if want.get(k) != hashes[k]]
        print(f"{len(hashes) - len(bad)} of {len(hashes)} identical" + (f"; DIFFER: {bad}" if bad else ""))
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
