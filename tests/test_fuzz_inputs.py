"""Generated malformed and valid-but-extreme inputs: every file reader and the command line
either accept the input or raise one clear InputError line — never a traceback, never a hang."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import build_parser
from sim.core.errors import InputError
from sim.scenario.packages import load_package
from sim.core.params import Params
from sim.scenario.world import PACKAGES, WORLDS, ZoneRow, load_world
from sim.experiments.study import load_study

SETTINGS = settings(max_examples=400, deadline=2000, suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12), st.lists(st.integers(-5, 5), max_size=6))
names = st.one_of(st.sampled_from(sorted(Params.model_fields)), st.text(string.ascii_lowercase + "_", min_size=1,
                                                                        max_size=20))
param_dicts = st.dictionaries(names, scalars, max_size=4)


def must_be_clean(fn, *args):
    try:
        fn(*args)
    except InputError as exc:
        text = str(exc)
        assert text and "\n" not in text and len(text) < 2000


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, d / f.name)
    return d


@SETTINGS
@given(params=param_dicts, years=scalars, start=scalars, extra=st.dictionaries(st.text(max_size=8), scalars,
                                                                                  max_size=2))
def test_world_files(scratch, params, years, start, extra):
    doc = {"name": "fuzz", "zones": "guangxi_zones.csv", "params": params, "years": years, "start_year": start,
           **extra}
    p = scratch / "w.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_world, p)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_as_world_or_package(scratch, raw):
    for name in ("b.yaml", "b.toml", "b.json"):
        p = scratch / name
        p.write_bytes(raw)
        must_be_clean(load_world, p)
        must_be_clean(load_package, p)


columns = list(ZoneRow.model_fields)
cell = st.one_of(st.just(""), st.text(string.printable, max_size=10), st.floats(-1e6, 1e6).map(repr),
                 st.integers(-10**6, 10**6).map(str))


@SETTINGS
@given(col=st.sampled_from(columns), value=cell, row=st.integers(1, 14))
def test_zone_table_cells(scratch, col, value, row):
    src = (WORLDS / "guangxi_zones.csv").read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(src))))
    rows[row][columns.index(col)] = value
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (scratch / "guangxi_zones.csv").write_text(buf.getvalue(), encoding="utf-8")
    try:
        must_be_clean(load_world, scratch / "guangxi.yaml")
    finally:
        shutil.copy(WORLDS / "guangxi_zones.csv", scratch / "guangxi_zones.csv")


anchor_keys = st.sampled_from(["name", "name_zh", "zone", "sector", "output_bn", "hightech", "source", "size"])
anchor_values = st.one_of(scalars, st.sampled_from(["liuzhou", "yulin", "nowhere", "electronics", "traditional"]))


@SETTINGS
@given(anchors=st.one_of(scalars, st.lists(st.one_of(scalars, st.dictionaries(anchor_keys, anchor_values, max_size=8)),
                                           max_size=4)))
def test_world_anchors(scratch, anchors):
    doc = {"name": "fuzz", "zones": "guangxi_zones.csv", "anchors": anchors}
    p = scratch / "a.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_world, p)


@SETTINGS
@given(line=st.integers(0, 308), col=st.integers(0, 3), value=cell)
def test_source_table_cells(scratch, line, col, value):
    import csv
    import io

    rows = list(csv.reader(io.StringIO((WORLDS / "guangxi_sources.csv").read_text(encoding="utf-8"))))
    row = rows[line % len(rows)]
    if col < len(row):
        row[col] = value
    else:
        row.append(value)  # a fourth value
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (scratch / "guangxi_sources.csv").write_text(buf.getvalue(), encoding="utf-8")
    try:
        must_be_clean(load_world, scratch / "guangxi.yaml")
    finally:
        shutil.copy(WORLDS / "guangxi_sources.csv", scratch / "guangxi_sources.csv")


lever_names = st.sampled_from(sorted(p.stem for p in PACKAGES.glob("*.yaml")) or ["baseline"])


@SETTINGS
@given(levers=st.dictionaries(st.one_of(st.sampled_from(sorted(__import__("sim.policies").policies.REGISTRY) or
                                                        ["x"]), st.text(max_size=10)),
                              st.one_of(st.none(), st.dictionaries(st.text(string.ascii_lowercase + "_", max_size=14),
                                                                   scalars, max_size=3), scalars), max_size=3),
       extends=st.one_of(st.none(), lever_names, st.text(max_size=8)))
def test_package_files(scratch, levers, extends):
    doc = {"name": "fuzz", "levers": levers}
    if extends is not None:
        doc["extends"] = extends
    p = scratch / "p.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_package, p)


@SETTINGS
@given(doc=st.dictionaries(st.sampled_from(["name", "world", "package", "levers", "uncertainties", "outcomes",
                                            "design", "seeds", "years", "extra"]),
                           st.one_of(scalars, st.dictionaries(st.text(max_size=10), scalars, max_size=3)),
                           max_size=8))
def test_study_files(scratch, doc):
    p = scratch / "s.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_study, p)


@SETTINGS
@given(argv=st.lists(st.one_of(st.sampled_from(["--years", "--seeds", "--seed", "--workers", "--lang", "--out",
                                                "--package", "-y", "-k", "--bogus"]),
                               st.text(string.printable, max_size=8)), max_size=6))
def test_command_line_options_parse_or_exit_2(argv):
    parser = build_parser()
    try:
        parser.parse_args(["run", *argv])
    except SystemExit as exc:
        assert exc.code in (0, 2)


# Issue 16: the new world parameters and lever settings, named explicitly so the fuzzer hits them
NEW_PARAMS = ("evaluation_years", "evaluation_clip", "committee_sensitivity", "committee_adjustment",
              "committee_horizon", "committee_gdp_value", "committee_score_value", "committee_score_noise",
              "committee_memory", "national_zones", "national_median_output_bn", "national_output_sigma",
              "national_output_growth", "region_budget_share", "spend_promotion", "spend_land",
              "promotion_arrival_elasticity", "promotion_startup_elasticity", "promotion_half",
              "land_spend_elasticity", "land_half")
NEW_SETTINGS = {
    "delisting": ("bottom_region", "years", "max_per_year", "reference", "join_years", "loss_years"),
    "funding_reward": ("budget", "tiers"),
    "hosting": ("support_prior", "evaluation", "host_share"),
    # issue 17: mis-specified measures and free lunches
    "green_development": ("budget", "subsidy_share", "investment", "saving", "energy_price", "zones"),
    "tech_finance": ("loan_ratio", "interest_subsidy", "risk_share", "term", "min_margin", "zones"),
    "high_level_talent": ("grant", "support", "support_years", "min_skill", "zones"),
    "tech_transfer": ("gain", "cost_per_zone"),
    "management_reform": ("target", "speed", "cost_per_zone"),
    "land_allocation": ("quota", "rule"),
    # issue 17, land and zones
    "mu_yield": ("weight_tax", "shares", "price_a", "price_d", "reclaim_share", "reclaim_after", "min_mu"),
    "zone_expansion": ("rule", "km2", "min_blocked", "max_grants", "cost_per_km2"),
    "park_integration": ("parks", "cost_per_km2", "host_fee"),
    "new_zones": ("parks", "committee_eff", "upgrade_cost"),
    "promotion": ("value_years", "designate", "area_km2", "funding", "region_share", "brand_gain"),
    # issue 17, industry and people
    "key_technology": ("budget", "grant", "years", "min_rd_share", "zones"),
    "industry_clusters": ("sectors", "leading", "pull", "arrival_gain", "grant"),
    "industry_upgrading": ("from_sectors", "to_sector", "rate", "grant_share"),
    "performance_pay": ("bonus_per_point", "effort_cost", "speed", "max_eff"),
    "direct_channel": ("arrival_gain", "projects", "grant", "cost_per_zone"),
    "city_industry": ("budget", "split", "max_gain", "half_stock", "depreciation"),
}
tier = st.fixed_dictionaries({}, optional={"level": st.one_of(st.sampled_from(["national", "region", "all"]), scalars),
                                           "rule": st.one_of(st.sampled_from(["top", "improved", "national_place"]),
                                                             scalars),
                                           "places": scalars, "count": scalars, "amount": scalars})


@SETTINGS
@given(params=st.dictionaries(st.sampled_from(NEW_PARAMS), scalars, min_size=1, max_size=3))
def test_new_world_parameters(scratch, params):
    doc = {"name": "fuzz", "zones": "guangxi_zones.csv", "params": params}
    p = scratch / "w16.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_world, p)


@SETTINGS
@given(lever=st.sampled_from(sorted(NEW_SETTINGS)), data=st.data())
def test_new_lever_settings(scratch, lever, data):
    names = NEW_SETTINGS[lever]
    settings = data.draw(st.dictionaries(st.sampled_from(names), st.one_of(scalars, st.lists(tier, max_size=3)),
                                         min_size=1, max_size=3))
    p = scratch / "p16.yaml"
    p.write_text(yaml.safe_dump({"name": "fuzz", "levers": {lever: settings}}, allow_unicode=True), encoding="utf-8")
    must_be_clean(load_package, p)


@pytest.mark.parametrize("text, field", [
    ("params: {evaluation_years: 0}", "params.evaluation_years"),
    ("params: {region_budget_share: -1}", "params.region_budget_share"),
    ("params: {committee_memory: 1.0}", "params.committee_memory"),
    ("params: {national_zones: 1}", "params.national_zones"),
])
def test_bad_new_world_field_is_one_line_and_exit_2(tmp_path, capsys, text, field):
    from sim.cli.main import main

    for f in WORLDS.glob("guangxi*"):
        shutil.copy(f, tmp_path / f.name)
    w = tmp_path / "guangxi.yaml"
    src = w.read_text(encoding="utf-8")
    w.write_text(src[:src.index("\nparams:") + 1] + text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(w), "--years", "2", "--seeds", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zonesim: error: ") and str(w) in err[0] and field in err[0]
    assert not out.exists()


@pytest.mark.parametrize("levers, field", [
    ("delisting: {max_per_year: 0}", "levers.delisting.max_per_year"),
    ("delisting: {reference: sometimes}", "levers.delisting.reference"),
    ("funding_reward: {tiers: [{level: region, rule: national_place}]}", "levers.funding_reward.tiers.0"),
    ("hosting: {support_prior: 0.9}", "levers.hosting.support_prior"),
    ("green_development: {subsidy_share: 0}", "levers.green_development.subsidy_share"),
    ("tech_finance: {term: 0}", "levers.tech_finance.term"),
    ("tech_finance: {credit: 0.3}", "levers.tech_finance.credit"),
    ("high_level_talent: {grant: -5}", "levers.high_level_talent.grant"),
    ("tech_transfer: {cost_per_zone: .nan}", "levers.tech_transfer.cost_per_zone"),
    ("management_reform: {cost_per_zone: -1}", "levers.management_reform.cost_per_zone"),
    ("land_allocation: {quota: -2}", "levers.land_allocation.quota"),
    ("mu_yield: {shares: [0.5, 0.5, 0.5, 0.5]}", "levers.mu_yield.shares"),
    ("zone_expansion: {km2: 0}", "levers.zone_expansion.km2"),
    ("park_integration: {host_fee: -1}", "levers.park_integration.host_fee"),
    ("new_zones: {parks: [{id: p, name: P, firms: {firms: 0}}]}", "levers.new_zones.parks.0.firms.firms"),
    ("promotion: {region_share: 2}", "levers.promotion.region_share"),
    ("key_technology: {grant: 0}", "levers.key_technology.grant"),
    ("industry_clusters: {sectors: [steel]}", "levers.industry_clusters.sectors"),
    ("industry_upgrading: {to_sector: traditional}", "levers.industry_upgrading.to_sector"),
    ("performance_pay: {effort_cost: 0}", "levers.performance_pay.effort_cost"),
    ("direct_channel: {projects: -1}", "levers.direct_channel.projects"),
    ("city_industry: {split: by_luck}", "levers.city_industry.split"),
])
def test_bad_new_lever_setting_is_one_line_and_exit_2(tmp_path, capsys, levers, field):
    from sim.cli.main import main

    pkg = tmp_path / "bad.yaml"
    pkg.write_text(f"name: bad\nlevers:\n  {levers}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--package", str(pkg), "--years", "2", "--seeds", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(pkg) in err[0] and field in err[0]
    assert not out.exists()
