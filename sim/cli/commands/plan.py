"""``zonesim plan``: the year's stages in order, the levers of a package acting in each, and
(``--time``) where the time of a run goes, stage by stage."""

from __future__ import annotations

import argparse

from sim.cli.main import positive_int
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="print the year's stages and the levers acting in each",
                       description="Print the ordered stages of one simulated year (the model's year plan) "
                                   "and, for PACKAGE, which levers act in which stage. --time runs the world "
                                   "and prints each stage's share of the run time.")
    p.add_argument("package", nargs="?", default=DEFAULT_PACKAGE,
                   help="a bundled package name or a package file (default: %(default)s)")
    p.add_argument("--world", default=DEFAULT_WORLD, help="world name or file (default: %(default)s)")
    p.add_argument("--time", action="store_true", help="run the world and time every stage")
    p.add_argument("--years", type=positive_int(1, 100), default=20, help="years to run with --time (default: %(default)s)")
    p.add_argument("--seed", type=positive_int(0, 2**63 - 1), default=20210, help="seed for --time (default: %(default)s)")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.model.plan import describe
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    package = load_package(args.package)
    levers = package.build()
    print(f"One year of the model, in order (package: {package.name}):")
    print(describe(levers))
    if args.time:
        from sim.model.zonemodel import ZoneModel

        model = ZoneModel(world=load_world(args.world), levers=levers, rng=args.seed, agent_handles="lazy",
                          time_stages=True)
        for _ in range(args.years):
            model.step()
        spent = model.stage_seconds or {}
        whole = sum(spent.values()) or 1.0
        print(f"\nShare of the time of {args.years} years, by stage:")
        for name, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<15} {100 * sec / whole:5.1f} %")
    return 0
