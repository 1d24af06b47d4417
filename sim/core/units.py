"""Money units, named once.

The model keeps firm-level money (output, value added, R&D, tax, budgets, lever money) in
**CNY million** (百万元), the scale at which a firm's yearly figures are whole numbers; wages
and per-person subsidies in **CNY thousand** per person a year (千元); every results table and
report in **CNY billion** (十亿元), the unit of ``sim.outcomes.metrics``. A Chinese reader is
shown 亿元 (CNY 100 million) or 万亿元 (CNY 1 trillion), the units official documents use.

Every change of scale goes through the functions here, never through a bare ``* 1000``: the
reason is readability (a reader sees which scale a number is in), and the functions perform the
very same floating-point operation the code did before, so results stay bit-identical.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")  # a float or a numpy array

CNY_K_PER_M = 1000.0      # 千元 per 百万元
CNY_M_PER_BN = 1000.0     # 百万元 per 十亿元
YI_PER_BN = 10.0          # 亿元 per 十亿元 (1 亿 = 10^8)
BN_PER_WAN_YI = 1000.0    # 十亿元 per 万亿元 (1 万亿 = 10^12)


def bn_from_m(x: T) -> T:
    """CNY million -> CNY billion (the unit of the results tables)."""
    return x / CNY_M_PER_BN


def m_from_bn(x: T) -> T:
    """CNY billion -> CNY million (the model's unit for firm-level money)."""
    return x * CNY_M_PER_BN


def k_from_m(x: T) -> T:
    """CNY million -> CNY thousand (wages and per-person subsidies)."""
    return x * CNY_K_PER_M


def m_from_k(x: T) -> T:
    """CNY thousand -> CNY million."""
    return x / CNY_K_PER_M


def yi_from_bn(x: T) -> T:
    """CNY billion -> 亿元 (CNY 100 million), the unit of Chinese reports."""
    return x * YI_PER_BN


def wan_yi_from_bn(x: T) -> T:
    """CNY billion -> 万亿元 (CNY 1 trillion)."""
    return x / BN_PER_WAN_YI
