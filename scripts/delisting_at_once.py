"""How often zones lose status and how many are out at once, per package (issue 16).

    python scripts/delisting_at_once.py delisting,area6-organisation,guangxi-23 --seeds 20 --years 20

Runs each package on the default world for the replicate seeds of base seed 20210 and prints, per
package: the share of seed-years (end of each year 1..N) with k zones delisted at once, status
losses, warnings and re-listings per run, zones delisted in the last year, the year of the first
delisting and the zones delisted most often.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def one(args: tuple[str, int, int]) -> dict:
    from sim.experiments.runner import Job, run_job
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    pkg, seed, years = args
    df = run_job(Job(load_world("guangxi"), load_package(pkg), seed, years))
    z = df[(df.zone != "region") & (df.step > 0)]
    at_once = z.groupby("step")["level"].apply(lambda v: int((v == 2).sum())).to_numpy()
    lost = z[z.demoted > 0]
    return {"at_once": at_once, "losses": float(z.demoted.sum()), "warnings": float(z.warnings.sum()),
            "relisted": _relisted(z),
            "last": int((z[z.step == years].level == 2).sum()),
            "first": int(lost.step.min()) if len(lost) else None, "zones": list(lost.zone)}


def _relisted(z) -> float:
    """Zones delisted at the end of one year and region-level at the end of the next."""
    level = z.pivot(index="step", columns="zone", values="level")
    return float(((level.shift(1) == 2) & (level == 1)).to_numpy().sum())


def main() -> None:
    from sim.experiments.runner import derive_seeds

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("packages")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    pkgs = a.packages.split(",")
    seeds = derive_seeds(20210, a.seeds)
    with ProcessPoolExecutor(a.workers) as ex:
        res = list(ex.map(one, [(p, s, a.years) for p in pkgs for s in seeds]))
    for i, p in enumerate(pkgs):
        r = res[i * len(seeds):(i + 1) * len(seeds)]
        at_once = np.concatenate([x["at_once"] for x in r])
        hist = {k: round(float((at_once == k).mean()), 3) for k in range(int(at_once.max()) + 1)}
        firsts = [x["first"] for x in r if x["first"] is not None]
        zones = Counter(zz for x in r for zz in x["zones"]).most_common(4)
        print(f"{p}: {len(r)} seeds x {a.years} years; zones delisted at once (share of seed-years) {hist}; "
              f"most at once {int(at_once.max())}; status losses per run {np.mean([x['losses'] for x in r]):.2f}; "
              f"warnings {np.mean([x['warnings'] for x in r]):.1f}; re-listings {np.mean([x['relisted'] for x in r]):.2f}; "
              f"delisted in the last year {np.mean([x['last'] for x in r]):.2f}; first loss in year "
              f"{np.median(firsts) if firsts else '-'} (median of {len(firsts)} runs); most often {zones}")


if __name__ == "__main__":
    main()
