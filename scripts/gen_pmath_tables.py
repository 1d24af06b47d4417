"""Write ``sim/core/pmath_tables.py``: the tables of the model's table-driven ``exp`` and ``power``
(``sim.core.pmath_k``), each value computed at 300 bits (mpmath) and rounded once to a double.

    python scripts/gen_pmath_tables.py            # rewrite the module
    python scripts/gen_pmath_tables.py --check    # exit 1 if the module differs from a fresh computation

The method is the published one of Arm's optimized-routines (Szabolcs Nagy, 2018; the ``exp`` and
``pow`` of glibc and musl since 2018), the values computed here from its description:

- ``exp``: ``2^(j/128) = H[j] (1 + T[j])``, ``H[j]`` the double nearest ``2^(j/128)``; stored as
  ``EXP_TAIL[j] = T[j]`` and ``EXP_SBITS[j] = bits(H[j]) - (j << 45)`` (so that adding ``k << 45`` for
  ``k = 128 q + j`` multiplies by ``2^q``).
- ``log`` (the log part of ``power``): ``z`` in [0x1.69555p-1, 0x1.69555p0) split into 128 parts by the
  top 7 bits of its significand after subtracting ``OFF``; for each, ``c`` near the part's centre with
  ``1/c = round(128/centre)/128`` (centre < 1) or ``round(256/centre)/256`` (so ``z/c - 1`` is exact
  in one ``fma``; the rounding gives ``1/c = 1`` for the two parts nearest 1, where log is tiny: no
  cancellation between ``log(c)`` and the polynomial there);
  ``LOG_C[i] = log(c)`` rounded to a multiple of 2^-43 (``k ln2_hi + LOG_C[i]`` exact) and
  ``LOG_CTAIL[i] = log(c) - LOG_C[i]`` rounded once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import mpmath as mp
import numpy as np

N = 128
OFF = 0x3FE6955500000000
OUT = Path(__file__).resolve().parent.parent / "sim" / "core" / "pmath_tables.py"


def _bits(v: float) -> int:
    return int(np.float64(v).view(np.int64))


def _double(b: int) -> float:
    return float(np.int64(b).view(np.float64))


def tables() -> dict[str, list]:
    """Every table and constant, as Python numbers."""
    with mp.workprec(300):
        tail, sbits = [], []
        for j in range(N):
            v = mp.mpf(2) ** (mp.mpf(j) / N)
            h = float(v)
            tail.append(float(v / mp.mpf(h) - 1))
            sbits.append(_bits(h) - (j << 45))
        invc, logc, logct = [], [], []
        grid = mp.mpf(2) ** -43
        for i in range(N):
            lo, hi = _double(OFF + (i << 45)), _double(OFF + ((i + 1) << 45))
            centre = (mp.mpf(lo) + mp.mpf(hi)) / 2
            if centre < 1:
                ic = float(mp.nint(N / centre) / N)
            else:
                ic = float(mp.nint(2 * N / centre) / N / 2)
            invc.append(ic)
            lc = -mp.log(mp.mpf(ic))
            h = float(mp.nint(lc / grid) * grid)
            logc.append(h)
            logct.append(float(lc - mp.mpf(h)))
        ln2 = mp.log(2)
        ln2n = ln2 / N
        nhi = _double(_bits(float(ln2n)) & ~((1 << 20) - 1))  # 33 bits: k * nhi exact for |k| < 2^20
        lhi = _double(_bits(float(ln2)) & ~((1 << 11) - 1))  # 42 bits: k * lhi exact for |k| < 2^11
        return {
            "EXP_TAIL": tail, "EXP_SBITS": sbits,
            "LOG_INVC": invc, "LOG_C": logc, "LOG_CTAIL": logct,
            "consts": [("EXP_INV_LN2_N", float(N / ln2)), ("EXP_LN2_HI_N", nhi),
                       ("EXP_LN2_LO_N", float(ln2n - mp.mpf(nhi))), ("LOG_LN2_HI", lhi),
                       ("LOG_LN2_LO", float(ln2 - mp.mpf(lhi)))],
        }


def source() -> str:
    t = tables()
    lines = ['"""Tables of the model\'s table-driven exp and power (sim.core.pmath_k). Written by',
             "scripts/gen_pmath_tables.py (each value at 300 bits, rounded once; the method and its source are",
             'described there); tests/core/test_pmath.py checks this file against a fresh computation."""',
             "", "import numpy as np", "", f"N = {N}", f"OFF = {OFF:#x}"]
    for name, v in t["consts"]:
        lines.append(f"{name} = float.fromhex({v.hex()!r})")

    def floats(name, vals):
        lines.append(f"{name} = np.array([float.fromhex(h) for h in (")
        for s in range(0, N, 4):
            lines.append("    " + " ".join(f"{v.hex()!r}," for v in vals[s:s + 4]))
        lines.append(")])")

    floats("EXP_TAIL", t["EXP_TAIL"])
    lines.append("EXP_SBITS = np.array([")
    for s in range(0, N, 4):
        lines.append("    " + " ".join(f"{v}," for v in t["EXP_SBITS"][s:s + 4]))
    lines.append("], dtype=np.int64)")
    floats("LOG_INVC", t["LOG_INVC"])
    floats("LOG_C", t["LOG_C"])
    floats("LOG_CTAIL", t["LOG_CTAIL"])
    return "\n".join(lines) + "\n"


def main() -> int:
    text = source()
    if "--check" in sys.argv[1:]:
        same = OUT.exists() and OUT.read_text() == text
        print(f"{OUT}: {'as computed' if same else 'DIFFERS from a fresh computation'}")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
