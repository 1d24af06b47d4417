"""Re-run figures the docs quote (docs/levers.md, docs/validation.md) on the default world.

    python scripts/doc_figures.py land-allocation --seeds 4 --years 10
    python scripts/doc_figures.py evaluation-motive --seeds 2 --years 10
    python scripts/doc_figures.py national-status --years 10
    python scripts/doc_figures.py industry-upgrading --years 20
    python scripts/doc_figures.py performance-pay --years 20

Each subcommand has a core function (same name, underscores) returning plain numbers, and
prints them in the docs' units. Seeds: ``--seeds K`` takes the first K replicate seeds derived
from a base seed (sim.experiments.seeds.derive_seeds), as the CLI does; a single-seed figure
uses the world's default seed 20210 itself. Years are model steps: step t ends calendar year
2021 + t (the world's start year is 2021), so 10 years reach 2031 and 20 years 2041.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE_SEED = 20210
SIGN_BASE_SEED = BASE_SEED + 2  # `zonesim validate`'s sign check: derive_seeds(seed + 2, --sign-seeds)


def _world():
    from sim.scenario.world import load_world

    return load_world("guangxi")


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


def _pct2(x: float) -> str:
    return f"{x:+.2f}%"


# --- 1. land_allocation: land-by-output against the baseline (docs/levers.md, sign check) ------

LAND_OUTCOMES = ("land_developed", "output", "output_per_km2")


def land_allocation(seeds: Sequence[int], years: int, world=None) -> dict:
    """``land-by-output`` (and the same with ``cap_to_demand: true``) against the baseline on
    ``seeds``: the region's land developed, output and output per km2 of developed land in the
    last year, as paired % changes (package / baseline - 1, per seed). For the capped arm also
    the largest gap, over zones, years and seeds, between a zone's allotment and its demand
    (km2; 0 = every zone got exactly what it asked for)."""
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package

    world = world if world is not None else _world()
    pkg = load_package("land-by-output")
    out: dict = {"seeds": [int(s) for s in seeds], "years": int(years)}
    base = {s: _region_last(simulate(world, None, None, int(s), years), years) for s in seeds}
    gaps: list[float] = []

    def watch(model) -> None:  # record allotment against demand (called after build and at the end)
        lever = next(lv for lv in model.levers if lv.name == "land_allocation")
        if getattr(lever, "_watched", False):
            return
        lever._watched = True
        inner = lever.allocate_land

        def allocate(m, demand):
            allot = inner(m, demand)
            alive = m.zones.alive[: demand.size]
            gaps.append(float(np.max(np.abs(allot[: demand.size] - demand)[alive], initial=0.0)))
            return allot
        lever.allocate_land = allocate

    for arm, params, probe in (("by_output", None, None),
                               ("capped", {"land_allocation.cap_to_demand": True}, watch)):
        runs = {s: _region_last(simulate(world, pkg, params, int(s), years, probe=probe), years) for s in seeds}
        out[arm] = {o: [100.0 * (runs[s][o] / base[s][o] - 1.0) for s in seeds] for o in LAND_OUTCOMES}
    out["capped_max_gap_km2"] = max(gaps) if gaps else float("nan")
    return out


def _region_last(df, years: int) -> dict[str, float]:
    reg = df[(df["zone"] == "region") & (df["step"] == years)].iloc[0]
    return {o: float(reg[o]) for o in LAND_OUTCOMES}


def _print_land(r: dict) -> None:
    print(f"land-by-output against the baseline, region in year {r['years']} ({2021 + r['years']}), "
          f"paired % change, mean over {len(r['seeds'])} seeds {r['seeds']} (per seed in brackets):")
    for arm, label in (("by_output", "rule output_per_land"), ("capped", "  with cap_to_demand: true")):
        for o in LAND_OUTCOMES:
            v = r[arm][o]
            fmt = _pct if arm == "by_output" else _pct2
            print(f"  {label:<28} {o:<16} {fmt(float(np.mean(v)))}  [{', '.join(fmt(x) for x in v)}]")
    print(f"  capped: largest |allotment - demand| of a zone in any year: {r['capped_max_gap_km2']:.6f} km2")


# --- 2. evaluation_motive in the status quo (docs/validation.md) ------------------------------

def evaluation_motive(seeds: Sequence[int], years: int, world=None) -> dict:
    """The baseline's ``evaluation_motive`` pooled over zones (not the region row) and years
    1..``years`` of every seed: mean and 5-95% quantiles, and the number of values."""
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package

    world = world if world is not None else _world()
    pkg = load_package("baseline")
    vals = []
    for s in seeds:
        df = simulate(world, pkg, None, int(s), years)
        z = df[(df["zone"] != "region") & (df["step"] >= 1) & (df["step"] <= years)]
        vals.append(z["evaluation_motive"].to_numpy(float))
    v = np.concatenate(vals)
    v = v[np.isfinite(v)]
    return {"seeds": [int(s) for s in seeds], "years": int(years), "n": int(v.size), "mean": float(v.mean()),
            "p5": float(np.quantile(v, 0.05)), "p95": float(np.quantile(v, 0.95))}


def _print_motive(r: dict) -> None:
    print(f"evaluation_motive, baseline, zones x years 1-{r['years']}, seeds {r['seeds']} ({r['n']} values): "
          f"mean {r['mean']:.2f}, 5-95% {r['p5']:.2f}-{r['p95']:.2f}")


# --- 3. national status (docs/levers.md; tests/policies/test_layout.py, slow) -----------------

CHANNELS = ("area_km2", "land_quota_km2", "funding", "pilot_gain", "brand_gain")


def national_status(zone: str, seeds: Sequence[int], years: Sequence[int], no_channels: bool = False,
                    world=None) -> dict:
    """``zone`` designated national in year 1 (lever ``promotion``, ``designate``, rule off with
    ``min_output_bn`` 1e9), against no levers, paired by seed, as in
    tests/policies/test_layout.py::test_national_status_is_worth_about_a_fifth_of_output_in_ten_years:
    the zone's output gain (% , designated / not - 1) after each of ``years`` (model steps), per
    seed. ``no_channels``: every channel at 0 (the location bonus only)."""
    from sim.model.zonemodel import ZoneModel
    from sim.policies import REGISTRY

    world = world if world is not None else _world()
    cls = REGISTRY["promotion"]
    settings = {"designate": [{"zone": zone, "year": 1}], "min_output_bn": 1e9}
    if no_channels:
        settings.update({c: 0.0 for c in CHANNELS})
    want = sorted({int(y) for y in years})
    gains: dict[int, list[float]] = {y: [] for y in want}
    for seed in seeds:
        lever = cls(cls.Settings.model_validate(settings))
        b = ZoneModel(world=world, rng=int(seed), agent_handles="lazy")
        m = ZoneModel(world=world, levers=[lever], rng=int(seed), agent_handles="lazy")
        z = m.zone_ids.index(zone)
        for t in range(1, want[-1] + 1):
            b.step()
            m.step()
            if t in gains:
                gains[t].append(100.0 * (m.flows["output"][z] / b.flows["output"][z] - 1.0))
    return {"zone": zone, "seeds": [int(s) for s in seeds], "no_channels": no_channels, "gains": gains}


def _print_national(r: dict) -> None:
    what = "every channel at 0 (location bonus only)" if r["no_channels"] else "default channels"
    for y, g in r["gains"].items():
        print(f"  {r['zone']:<8} national in year 1, {what}, zone output after {y} years: "
              f"{_pct(float(np.mean(g)))} (seeds {r['seeds']}: {', '.join(_pct(x) for x in g)})")


# --- 4. industry upgrading (docs/levers.md) ---------------------------------------------------

def industry_upgrading(seed: int, years: int, world=None) -> dict:
    """``industry-upgrading`` (defaults: 3% a year) on one seed: traditional firms at the start
    (end of the spin-up), firms upgraded by the last year, and the lever's cost each year (CNY m,
    the grants it books as ``region_support``)."""
    from sim.experiments.runner import simulate
    from sim.scenario.packages import load_package

    world = world if world is not None else _world()
    got: dict = {"cost": []}

    def probe(model) -> None:
        lever = next(lv for lv in model.levers if lv.name == "industry_upgrading")
        if "start" not in got:
            f = model.firms
            got["start"] = int(np.sum(lever.in_from_sectors(f.sector[: f.n])))
        else:
            got["upgraded"] = int(lever.upgraded)
            got["total_cost"] = float(lever.cost)

    def after(model, t) -> None:
        lever = next(lv for lv in model.levers if lv.name == "industry_upgrading")
        got["cost"].append(float(lever.cost) - sum(got["cost"]))

    simulate(world, load_package("industry-upgrading"), None, int(seed), years, probe=probe, after_step=after)
    return {"seed": int(seed), "years": int(years), "traditional_at_start": got["start"],
            "upgraded": got["upgraded"], "cost_by_year": got["cost"], "total_cost": got["total_cost"]}


def _print_upgrading(r: dict) -> None:
    c = r["cost_by_year"]
    print(f"industry-upgrading, seed {r['seed']}: {r['upgraded']:,} of the {r['traditional_at_start']:,} traditional "
          f"firms at the start upgraded by {2021 + r['years']}; cost CNY {c[0]:,.1f} m ({2022}) -> "
          f"{c[-1]:,.1f} m ({2021 + r['years']}); total CNY {r['total_cost']:,.1f} m")
    k = min(5, len(c))
    print(f"  mean cost a year: first {k} years CNY {np.mean(c[:k]):,.1f} m, last {k} years CNY {np.mean(c[-k:]):,.1f} m")
    print("  cost by year (CNY m): " + ", ".join(f"{2022 + i} {x:,.1f}" for i, x in enumerate(c)))


# --- 5. performance pay (docs/levers.md) ------------------------------------------------------

def performance_pay(seed: int, years: int, world=None) -> dict:
    """``performance-pay`` (defaults) on one seed: ``g``, the points a unit of management
    efficiency brings as each targeted committee sees it, in year 1 (2022, at the lever's first
    decision), and the lever's addition to each zone's efficiency (its effort: efficiency above the
    zone's level without the reform) in the last year; ranges over the targeted zones."""
    from sim.model.zonemodel import ZoneModel
    from sim.policies import REGISTRY
    from sim.scenario.packages import load_package

    world = world if world is not None else _world()
    base = REGISTRY["performance_pay"]
    first: list[np.ndarray] = []

    class Recording(base):  # the same lever; records g at its first decision
        def start_year(self, model) -> None:
            if not first:
                first.append(self.points_per_efficiency(model)[self.mask(model, perks=False)].copy())
            super().start_year(model)

    pkg = load_package("performance-pay")
    lever = Recording(pkg.settings["performance_pay"])
    m = ZoneModel(world=world, levers=[lever], rng=int(seed), agent_handles="lazy")
    for _ in range(int(years)):
        m.step()
    mask = lever.mask(m, perks=False)
    effort = np.asarray(lever.effort)[mask[: len(lever.effort)]]
    g = first[0]
    return {"seed": int(seed), "years": int(years), "g_start": g, "effort_end": effort, "cost": float(lever.cost)}


def _print_pay(r: dict) -> None:
    g, e = r["g_start"], r["effort_end"]
    print(f"performance-pay, seed {r['seed']}: g in 2022 {g.min():.2f}-{g.max():.2f} points per unit "
          f"(median {np.median(g):.2f}, {g.size} zones); efficiency higher by {e.min():.3f}-{e.max():.3f} "
          f"in {2021 + r['years']} (median {np.median(e):.3f}); bonuses paid CNY {r['cost']:,.1f} m "
          f"over {r['years']} years ({r['cost'] / r['years']:,.1f} m a year)")


# --- command line -----------------------------------------------------------------------------

def _positive(text: str) -> int:
    """A whole number >= 1 (argparse type: anything else is one clear line and exit 2)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (allowed: 1, 2, 3, ...)") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"{v} is below 1 (allowed: 1, 2, 3, ...)")
    return v


def _int_list(text: str) -> list[int]:
    """Comma-separated whole numbers, e.g. ``1,2,3`` (argparse type)."""
    try:
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers, e.g. 1,2,3") from None


def _positive_list(text: str) -> list[int]:
    """Comma-separated whole numbers >= 1 (argparse type)."""
    vals = _int_list(text)
    if min(vals) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every year must be 1 or more, e.g. 5,10")
    return vals


def main(argv: Sequence[str] | None = None) -> None:
    from sim.experiments.runner import derive_seeds

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("land-allocation", help="land-by-output (and capped at demand) against the baseline")
    p.add_argument("--seeds", type=_positive, default=4)
    p.add_argument("--years", type=_positive, default=10)
    p.add_argument("--base-seed", type=int, default=SIGN_BASE_SEED,
                   help="base seed (default: %(default)s, the sign check's seeds of `zonesim validate`)")
    p = sub.add_parser("evaluation-motive", help="the status quo's evaluation_motive over zones and years")
    p.add_argument("--seeds", type=_positive, default=2)
    p.add_argument("--years", type=_positive, default=10)
    p.add_argument("--base-seed", type=int, default=BASE_SEED)
    p = sub.add_parser("national-status", help="a zone made national in year 1, paired seeds (as test_layout)")
    p.add_argument("--zones", default="wuzhou,hezhou")
    p.add_argument("--seed-list", type=_int_list, default=[1, 2, 3], help="literal seeds (default: 1,2,3, as the slow test)")
    p.add_argument("--years", type=_positive_list, default=[5, 10], help="years after which to report (default: 5,10)")
    p = sub.add_parser("industry-upgrading", help="firms upgraded and the cost by year, one seed")
    p.add_argument("--seed", type=int, default=BASE_SEED)
    p.add_argument("--years", type=_positive, default=20)
    p = sub.add_parser("performance-pay", help="g at the start and the efficiency gained, one seed")
    p.add_argument("--seed", type=int, default=BASE_SEED)
    p.add_argument("--years", type=_positive, default=20)
    a = ap.parse_args(argv)

    if a.cmd == "land-allocation":
        _print_land(land_allocation(derive_seeds(a.base_seed, a.seeds), a.years))
    elif a.cmd == "evaluation-motive":
        _print_motive(evaluation_motive(derive_seeds(a.base_seed, a.seeds), a.years))
    elif a.cmd == "national-status":
        seeds, years, world = a.seed_list, a.years, _world()
        zones = a.zones.split(",")
        known = [z.id for z in world.zones]
        bad = [z for z in zones if z not in known]
        if bad:
            ap.error(f"argument --zones: unknown zone {bad[0]!r} (allowed: {', '.join(known)})")
        for zone in zones:
            _print_national(national_status(zone, seeds, years, world=world))
        _print_national(national_status(zones[0], seeds, years, no_channels=True, world=world))
    elif a.cmd == "industry-upgrading":
        _print_upgrading(industry_upgrading(a.seed, a.years))
    else:
        _print_pay(performance_pay(a.seed, a.years))


if __name__ == "__main__":
    main()
