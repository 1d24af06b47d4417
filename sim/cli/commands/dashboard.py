"""``zonesim dashboard``: the workshop dashboard (Mesa SolaraViz), served locally by solara."""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import secrets
import subprocess
import sys

from sim.cli.main import positive_int
from sim.core.errors import InputError
from sim.scenario.world import DEFAULT_PACKAGE, DEFAULT_WORLD

EXTRA_HINT = "the dashboard needs the 'dashboard' extra: pip install -e '.[dashboard]'"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="serve the live policy-design dashboard in the browser",
                       description="Serve the workshop dashboard (Mesa SolaraViz on the zone model) at "
                                   "http://HOST:PORT/: pick a world and package, move the levers, step or run "
                                   "the years and watch region totals, zone trajectories, the ranking and the "
                                   "map; a second tab runs two packages side by side on the same seeds. "
                                   "Stop it with Ctrl-C.")
    p.add_argument("--port", type=positive_int(0, 65535), default=8765, help="TCP port (default: %(default)s)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: %(default)s, this machine only). Any other address "
                        "needs a token: the page opens only with ?token=... (see docs/workshops.md)")
    p.add_argument("--token", default=None,
                   help="the token the page's address must carry; made up and printed when --host is not "
                        "loopback and none is given")
    p.add_argument("--world", default=DEFAULT_WORLD, help="initial world name or file (default: %(default)s)")
    p.add_argument("--package", "-p", default=DEFAULT_PACKAGE,
                   help="initial package name or file (default: %(default)s)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="initial language (default: %(default)s)")
    p.add_argument("--open", action="store_true", help="open a browser window")
    p.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.scenario.packages import load_package
    from sim.scenario.world import load_world

    load_world(args.world)          # bad names fail here, one line, before the server starts
    load_package(args.package)
    missing = [m for m in ("solara", "ipyvuetify", "altair") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(None, "dashboard", f"missing {', '.join(missing)}; {EXTRA_HINT}")
    token = args.token
    if token is not None and (len(token) < 8 or not token.replace("-", "").replace("_", "").isalnum()):
        raise InputError(None, "--token", "at least 8 letters, digits, '-' or '_'")
    if token is None and not is_loopback(args.host):
        token = secrets.token_urlsafe(12)
    env = dict(os.environ, ZONESIM_WORLD=str(args.world), ZONESIM_PACKAGE=str(args.package),
               ZONESIM_LANG=args.lang, MPLBACKEND="Agg", ZONESIM_TOKEN=token or "")
    # a page that left without closing (lost network) frees its kernel, runs and memory after 2 minutes
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "2m")
    cmd = [sys.executable, "-m", "solara", "run", "sim.present.dashboard.app", "--host", args.host, "--port",
           str(args.port), "--production", "--open" if args.open else "--no-open", "--log-level", "warning"]
    url = f"http://{args.host}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"zonesim dashboard: serving at {url}  (Ctrl-C to stop)", flush=True)
    if not is_loopback(args.host):
        print("zonesim dashboard: listening beyond this machine; only pages opened with the token above can use it. "
              "Share the address only in the room, on a network you trust (docs/workshops.md).", flush=True)
    if os.name == "posix":
        # become the server: stopping this process (Ctrl-C, SIGTERM) stops the server, no orphan
        os.execve(sys.executable, cmd, env)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
