"""numpy's huge-page advice on / off at 1M agents: ``ab_setting.py --setting hugepages`` (kept for the
command docs/performance.md's tenth session quotes).

Usage:
    python benchmarks/ab_hugepages.py [--world synthetic:40,850000,7500000] [--years 20] [--repeats 3]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ab_setting import main

if __name__ == "__main__":
    from machine import watched  # ends with the load, CPU steal and memory speed over the run

    watched(main, setting="hugepages")
