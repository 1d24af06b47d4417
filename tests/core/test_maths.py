"""sim.core.maths: the fingerprint of how this process rounds the model's transcendental functions."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from sim.core import maths

CODE = "import sim.core.maths as m; print(m.fingerprint(), m.simd_maths(), m.numpy_fingerprint())"


def _child(**env: str) -> tuple[str, str, str]:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True,
                         env={**os.environ, **env}).stdout.split()
    return out[0], out[1], out[2]


def test_fingerprint_is_twelve_hex_digits_and_stable():
    fp = maths.fingerprint()
    assert len(fp) == 12 and int(fp, 16) >= 0
    assert maths.fingerprint() == fp


def test_fingerprint_is_the_models_own_functions_not_numpys():
    """The model's functions (sim.core.pmath), the same with the compiled kernels switched off; numpy's
    own fingerprint is another hash."""
    assert _child(ZONESIM_NO_NUMBA="1")[0] == maths.fingerprint()
    assert maths.numpy_fingerprint() != maths.fingerprint() and len(maths.numpy_fingerprint()) == 12


def test_inputs_are_made_by_arithmetic_alone():
    """The inputs must not depend on the functions being fingerprinted (the same bits everywhere)."""
    x, e = maths._inputs()
    i = np.arange(4096, dtype=np.float64)
    frac = (i * 0.6180339887498949) % 1.0
    assert np.array_equal(x, frac * frac * frac * 1.0e6 + 1.0e-6) and np.array_equal(e, frac * 6.0 - 3.0)
    assert x.min() > 0.0 and -3.0 <= e.min() and e.max() <= 3.0


def test_fingerprint_changes_with_the_rounding(monkeypatch):
    """A last-bit change of one function's result changes the fingerprint (it can tell machines apart)."""
    from sim.core import pmath

    fp = maths.fingerprint()
    real = pmath.log1p

    def off_by_one_ulp(x, out=None):
        out = real(x, out=out)
        out[17] = np.nextafter(out[17], np.inf)
        return out

    monkeypatch.setattr(maths, "_FINGERPRINT", None)
    monkeypatch.setattr(pmath, "log1p", off_by_one_ulp)
    assert maths.fingerprint() != fp


@pytest.mark.skipif(not maths.simd_maths(), reason="numpy uses its own SIMD functions only on CPUs with AVX-512")
def test_numpys_switch_gives_the_c_librarys_rounding():
    """On an AVX-512 machine numpy's SIMD exp/log/power round otherwise than the C library's; numpy's
    switch NPY_DISABLE_CPU_FEATURES (the value sim.core.maths names) turns them off in a new process."""
    fp, simd, numpys = _child(**maths.switched_env({}))
    assert simd == "False" and numpys != maths.numpy_fingerprint()
    assert fp == maths.fingerprint()  # the model's own functions: the same either way


def test_switched_env_sets_numpys_switch_without_quotes():
    base = {"PATH": "/bin"}
    env = maths.switched_env(base)
    assert env == {"PATH": "/bin", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}
    assert base == {"PATH": "/bin"}  # the caller's mapping is left alone
    assert maths.switched_env()["PATH"] == os.environ["PATH"]
