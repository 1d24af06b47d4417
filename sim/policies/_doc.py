"""Markdown tables of every lever's settings (name, default, description with unit and source),
generated from the ``Settings`` models so ``docs/levers.md`` cannot drift from the code:
``python -m sim.policies._doc`` prints them; a test checks the document contains them."""

from __future__ import annotations

import json

from sim.policies import REGISTRY


def _default(value: object) -> str:
    if isinstance(value, tuple) and value and hasattr(value[0], "model_dump"):
        return "; ".join(json.dumps(v.model_dump(), ensure_ascii=False) for v in value)
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return json.dumps(value, ensure_ascii=False)


def settings_table(name: str) -> str:
    cls = REGISTRY[name]
    lines = ["| setting | default | meaning (unit; source) |", "|---|---|---|"]
    for field, info in cls.Settings.model_fields.items():
        desc = (info.description or "").replace("|", "/")
        lines.append(f"| `{field}` | `{_default(info.default)}` | {desc} |")
    return "\n".join(lines)


PACKAGE = {"land_allocation": "land-by-output` (also `land-equal`, `land-by-rank"}


def overview_table() -> str:
    lines = ["| lever | area | what it does | package |", "|---|:-:|---|---|"]
    for name, cls in REGISTRY.items():
        lines.append(f"| `{name}` | {cls.area} | {cls.title} | `{PACKAGE.get(name, name.replace('_', '-'))}` |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(overview_table())
    for n in REGISTRY:
        print(f"\n### `{n}`\n\n{settings_table(n)}")
