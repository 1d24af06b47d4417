"""ZoneModel: Guangxi's high-tech zones as a Mesa model, one step per year."""

from __future__ import annotations

import numbers
import time
from collections.abc import Collection, Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.agents import enterprise as ent
from sim.agents import talent as tal
from sim.agents import zone as zon
from sim.agents.enterprise import FIRM_COLUMNS, Enterprise
from sim.agents.talent import OUTSIDE, TALENT_COLUMNS, Talent
from sim.agents.zone import ZONE_COLUMNS, Zone
from sim.agents.committee import Committees
from sim.agents.government import RegionalGovernment
from sim.model.initial import populate, spin_up
from sim.model.plan import PLAN, STAGE_NAMES, STREAMS, YearData
from sim.model import spinup
from sim.model.spinup import SPUN_UP, SpinupCache, SpunUp
from sim.core import firm_k, kernels, yearly
from sim.core.kernels import cell_zone_sums, group_sum
from sim.core.keys import GRADUATE, counted_keys, zone_keys
from sim.core.memory import no_cycle_collection, tune_malloc
from sim.core.streams import Streams
from sim.outcomes.metrics import COUNTED_FLOWS as FLOW_NAMES, Recorder, census
from sim.core.params import N_SECTORS, Params
from sim.policies import Hooks, Lever
from sim.core.pool import MesaHandles, Pool
from sim.core.units import CNY_K_PER_M
from sim.scenario.world import World, load_world
from sim.core import pmath as pm

def _stream_seed(rng: Any, generator: np.random.Generator) -> int | np.random.SeedSequence:
    """The run seed of the model's random streams, from the ``rng`` argument (see ZoneModel)."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return int(rng)
    if rng is None:
        return np.random.SeedSequence()
    return int(generator.integers(2**63))  # a Generator or BitGenerator: Mesa's model.rng is it


# Module-level reporters (picklable) for Mesa's DataCollector / batch_run.
def region_output(model: ZoneModel) -> float:
    return model.recorder.region_latest["output"]


def region_firms(model: ZoneModel) -> float:
    return model.recorder.region_latest["firms"]


def region_hightech(model: ZoneModel) -> float:
    return model.recorder.region_latest["hightech_firms"]


def region_talent(model: ZoneModel) -> float:
    return model.recorder.region_latest["talent"]


def region_output_per_km2(model: ZoneModel) -> float:
    return model.recorder.region_latest["output_per_km2"]


class ZoneModel(mesa.Model):
    """The high-tech zones of one region under one measure package.

    Each ``step()`` is one year: the named stages of :data:`sim.model.plan.PLAN` in order
    (start_year, talent_moves, labour_market, production, innovation, land, firm_dynamics,
    public_finance, evaluation, end_year, record; ``zonesim plan`` prints them with the levers
    acting in each). ``time_stages=True`` accumulates each stage's seconds in ``stage_seconds``.

    Keyword-only arguments so Mesa's ``batch_run`` can drive it: ``world`` (a World, a bundled
    name or a path), ``levers`` (built Lever objects), ``rng`` (seed), and any parameter of
    :class:`sim.core.params.Params` as an override. Every firm, cohort and zone has one Mesa
    agent for its whole life, removed with ``Agent.remove()`` when it exits; ``model.agents_by_type``
    and Mesa's ``DataCollector`` see only live agents. ``agent_handles``: ``"eager"`` (default)
    makes each agent when its member enters (the members alive when the build is done get theirs
    then: the spin-up's firms that close before the start year never have one); ``"lazy"`` makes it on first use
    (``model.enterprises``, ``model.talents``, ``model.firms.handle(slot)``) — for batch runs that
    never look at single agents. Results are identical either way: agents are views on the pools
    and draw no random numbers.

    Randomness: every stochastic decision draws from ``model.streams``
    (:class:`sim.core.streams.Streams`), one named stream per decision, keyed by (run seed,
    stream, year, the agent's permanent key): common random numbers, so packages run on the
    same seed are paired agent by agent (docs/ODD.md, stochasticity). The run seed is ``rng``
    when it is an int or a ``SeedSequence``; a ``Generator`` passed as ``rng`` gives one draw
    (``integers(2**63)``) at construction; ``None`` a fresh ``SeedSequence`` (``model.streams.seed``;
    its ``entropy`` reproduces the run). Mesa's own ``model.rng`` and ``model.random`` stay seeded for
    Mesa's sake; the model never draws from them.

    ``spinup_cache`` (a :class:`sim.model.spinup.SpinupCache`; default none): with lazy handles and
    an integer seed, the build up to the end of the spin-up, which no lever sees, is taken from the
    cache when it holds one for the same (world, seed) built with the same values of the parameters
    that build read (the constructor reads them through a recording copy until the spin-up ends),
    and stored in it otherwise; results are bit-identical. A build that misses takes year 0's
    population (before the spin-up) from the cache when a build that read the same values up to
    there stored it. ``spinup_offer``: which copies a build stores (``"spun-up"``, the default: the
    whole start; ``"populated"``: the population before the spin-up, for runs that differ only in
    parameters the spin-up reads). Batch runs (``sim.experiments.runner.simulate``) pass the
    process's cache, and a study's runs offer what another run of the study can take.
    """

    def __init__(self, *, world: World | str | None = None, levers: Sequence[Lever] = (),
                 rng: int | np.random.Generator | None = None, max_years: int | None = None,
                 agent_handles: str = "eager", time_stages: bool = False, spinup_cache: SpinupCache | None = None,
                 spinup_offer: Collection[str] = (SPUN_UP,), **param_overrides: Any) -> None:
        super().__init__(rng=rng)
        self.streams = Streams(_stream_seed(rng, self.rng), STREAMS)
        self.plan = PLAN
        self.year_data = YearData()
        self._stages = [getattr(self, f"_{stage.name}") for stage in PLAN]
        # seconds spent in each stage over all steps so far, when built with time_stages=True
        self.stage_seconds: dict[str, float] | None = dict.fromkeys(STAGE_NAMES, 0.0) if time_stages else None
        tune_malloc()  # sim/memory.py: numpy temporaries stay in the process between years
        if world is None or isinstance(world, str):
            world = load_world(world or "guangxi")
        if param_overrides:
            world = world.with_params(**param_overrides)
        self.world = world
        if agent_handles not in ("eager", "lazy"):
            raise ValueError("agent_handles must be 'eager' or 'lazy'")
        lazy = agent_handles == "lazy"
        cache = spinup_cache if lazy else None
        spinup_offer = spinup.check_points(spinup_offer)
        # with a cache, the build reads its parameters through a copy that notes which (the key of
        # the copy it stores, sim/model/spinup.py); the run after it reads the world's own
        self.params: Params = spinup.reading(world.params) if cache is not None else world.params
        self.start_year = world.start_year
        self.max_years = max_years
        p = self.params
        self.sector_va = np.asarray(p.value_added_ratio)
        self.sector_rd = np.asarray(p.rd_intensity)
        self.sector_capital = np.asarray(p.capital_per_worker)
        self.sector_skill = np.asarray(p.skilled_share_demand)
        self.zone_ids = [z.id for z in world.zones]
        self.zone_names = [z.name for z in world.zones]
        self.zone_names_zh = [z.name_zh for z in world.zones]
        n_firms = sum(z.firms for z in world.zones)
        n_coh = sum(int(round(z.talent / p.talent_scale)) for z in world.zones)
        self.zones = Pool(ZONE_COLUMNS, 0, **self._handles(Zone, "zones"))
        # firms and cohorts get their Mesa agents when the build is done (eager) or on first use
        # (lazy): the spin-up's firms that close before the start year never had one (issue 19)
        self.firms = Pool(FIRM_COLUMNS, 0, **self._handles(Enterprise, "firms"), lazy=True, compact=True)
        self.talent = Pool(TALENT_COLUMNS, 0, **self._handles(Talent, "talent"), lazy=True, compact=True)
        self.zones._grow(len(world.zones))
        # room for the firms and cohorts of a 20-year run (a 100k-agent world's firms grow ~1.9x over
        # its spin-up and run): a compact pool's free slots are never written until taken, so the
        # room costs address space, not time; growing copies every column (Pool._next_capacity)
        self.firms._grow(int(n_firms * 2.5) + 64)
        self.talent._grow(int(n_coh * 2) + 64)
        self.flows = {name: np.zeros(len(world.zones)) for name in FLOW_NAMES}
        self.flows.update(region_talent_inflow=0.0, region_talent_outflow=0.0, land_quota_issued=0.0)
        self.region_mean_wage = 0.1
        self.job_odds = np.ones(len(world.zones))
        self.anchor_keys = np.zeros(0, dtype=np.uint64)  # keys of the world's anchor firms (populate)
        self.anchor_names: dict[int, str] = {}  # anchor key -> anchor name
        self.year_zero_closed = False  # set when the spin-up has run year 0's firm processes
        with no_cycle_collection(freeze=not lazy):  # sim/core/memory.py: the collector would walk every new agent
            self.hooks = Hooks([])  # the initial population and spin-up run under the baseline rules: no levers yet
            self._build_start(world, rng, cache, spinup_offer)
            self.params = p = world.params
            if not lazy:  # every firm and cohort alive at the start gets its agent, in the order they came
                self.firms.make_handles()
                self.talent.make_handles()
            self.government = RegionalGovernment(self, p.indicator_weights)
            self.hooks = Hooks(list(levers))
            self.levers = self.hooks.levers
            self.hooks.setup(self)
            self.recorder = Recorder()
            self.datacollector = mesa.DataCollector(model_reporters={
                "output": region_output, "firms": region_firms, "hightech_firms": region_hightech,
                "talent": region_talent, "output_per_km2": region_output_per_km2})
            self._initial_accounts()
            self._evaluation()
            self._record()

    def _build_start(self, world: World, rng: Any, cache: SpinupCache | None, offer: Collection[str]) -> None:
        """Year 0 before any lever: the population, the zones' geometry, the committees and the
        spin-up (sim/model/initial.py), which depend only on (world, seed, handle mode). With a
        ``cache`` (lazy handles only), a build it holds for the same key is copied in instead
        (sim/model/spinup.py: bit-identical), and a new build is stored in it."""
        key = cache.key(world, rng, "lazy") if cache is not None else None
        snap = cache.get(key) if key is not None else None  # a copy whose build read what this one holds
        if snap is not None:
            snap.restore(self)
            kernels.model_started(snap.agents_started)
            return
        # the population before the spin-up: copied when a build that read the same values up to
        # there stored it (a run differing only in what the spin-up reads), and its reads noted
        taken = cache.take(key.at(spinup.POPULATED)) if key is not None else None
        if taken is not None:
            taken[0].restore(self)
            spinup.note_reads(self.params, taken[1])
            started = taken[0].agents_started
            kernels.model_started(started)
        else:
            populate(self, world.zones, world.anchors)
            started = self.firms.n + self.talent.n
            kernels.model_started(started)  # a process running enough models uses them
            self._geometry()
            # one ZoneCommittee agent per zone (sim/agents/committee.py); during the spin-up they hold
            # the status-quo split (land capacity and promotion parts at 1): they decide from year 1
            self.committees = Committees(self)
            if key is not None and spinup.POPULATED in offer:
                cache.put(key.at(spinup.POPULATED), SpunUp.capture(self, started), spinup.reads_of(self.params))
        spin_up(self, world.zones, world.anchors)
        if key is not None and spinup.SPUN_UP in offer:
            # the copy is stored with the parameters its build read (the recording copy is wiring,
            # never captured; a parameter object anywhere in the captured state refuses the capture)
            cache.put(key, SpunUp.capture(self, started), spinup.reads_of(self.params))

    def _initial_accounts(self) -> None:
        """Year-0 flows and zone accounts from the calibrated state (no randomness, no spending).
        The production pass is not a year: firms' loss runs and the zone wages (which year 1 pays,
        set by the last production of the spin-up or by the initial calibration) are kept."""
        if not self.year_zero_closed:  # else the spin-up produced year 0 before closing it (sim.model.initial)
            f = self.firms
            losses, wage = f.losses[:f.n].copy(), self.zones.wage.copy()
            self._production()
            f.losses[:f.n] = losses
            self.zones.wage[:] = wage
        zs = self.zones
        zs.tax_raised[:] = self.flows["tax"]
        zs.tax_kept[:] = zs.tax_share * self.flows["tax"]
        zs.budget[:] = zs.tax_kept

    # ------------------------------------------------------------------ helpers
    def _handles(self, cls: type, pool: str) -> dict[str, Any]:
        """The pool's handle makers: one agent of ``cls`` per member (``cls(self, uid)``), made and
        removed many at a time when the pool adds or removes many (sim.core.pool.MesaHandles)."""
        h = MesaHandles(self, cls, pool)
        return {"make_handle": h.one, "make_handles": h.many, "drop_handles": h.drop}

    def _geometry(self) -> None:
        """Pairwise distances (km) between zone slots and the firm moving-cost factors. A zone without
        a location (``located`` false: known to exist, not identified) is put at the mean distance
        between located zones from every other zone, so that distance neither favours nor penalises
        it (docs/ODD.md, "Initialisation")."""
        zs = self.zones
        lat, lon = np.radians(zs.lat), np.radians(zs.lon)
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = pm.sin(dlat / 2) ** 2 + pm.cos(lat[:, None]) * pm.cos(lat[None, :]) * pm.sin(dlon / 2) ** 2
        self.distance = 2 * 6371.0 * pm.arcsin(np.sqrt(np.clip(a, 0, 1)))
        placed = zs.located & zs.alive
        if not placed.all():
            pairs = self.distance[np.ix_(placed, placed)]
            k = int(placed.sum())
            mean = float(pairs.sum() / (k * (k - 1))) if k > 1 else 0.0
            self.distance[~placed, :] = mean
            self.distance[:, ~placed] = mean
            np.fill_diagonal(self.distance, 0.0)
        n = zs.capacity
        old = getattr(self, "move_cost", None)
        self.move_cost = np.ones((n, n))
        if old is not None:
            self.move_cost[: old.shape[0], : old.shape[1]] = old

    @property
    def n_zone_slots(self) -> int:
        return self.zones.capacity

    def zone_active(self) -> np.ndarray:
        return self.zones.alive

    def live_firms(self) -> np.ndarray:
        return self.firms.live()

    def live_talent(self) -> np.ndarray:
        return self.talent.live()

    def talent_by_zone(self) -> np.ndarray:
        """Skilled people living in each zone slot."""
        t = self.talent
        return group_sum(t.zone[:t.n] + 1, None, self.n_zone_slots + 1)[1:] * float(self.params.talent_scale)

    def occupied_land(self) -> np.ndarray:
        """Land used by firms, km2 per zone slot."""
        f = self.firms
        return group_sum(f.zone[:f.n], f.land[:f.n], self.n_zone_slots)

    def free_land(self, occupied: np.ndarray | None = None) -> np.ndarray:
        """Developed land not used by firms, km2 per zone slot (``occupied``: this
        :meth:`occupied_land` when the caller has just summed it)."""
        return self.zones.land_developed - (self.occupied_land() if occupied is None else occupied)

    def add_zone(self, **columns: Any) -> int:
        """Create a zone (area 1: new zones from county parks); returns its slot."""
        ident = columns.pop("zone_id")
        names = (columns.pop("name", ident), columns.pop("name_zh", ident))
        slot = int(self.zones.add(1, key=zone_keys([ident]), **columns)[0])
        while len(self.zone_ids) <= slot:
            self.zone_ids.append("")
            self.zone_names.append("")
            self.zone_names_zh.append("")
        self.zone_ids[slot], self.zone_names[slot], self.zone_names_zh[slot] = ident, *names
        n = self.n_zone_slots
        for k, v in self.flows.items():
            if isinstance(v, np.ndarray) and v.size < n:
                self.flows[k] = np.concatenate([v, np.zeros(n - v.size)])
        self.job_odds = np.concatenate([self.job_odds, np.ones(n - self.job_odds.size)])
        self._geometry()
        return slot

    @property
    def zone_agents(self) -> list[Zone]:
        return [self.zones.handle(int(s)) for s in self.zones.live()]

    @property
    def enterprises(self) -> mesa.agent.AgentSet:
        """AgentSet of the live firms (their agents made on demand in a lazy model; the hot paths
        never need it)."""
        return mesa.agent.AgentSet([self.firms.handle(s) for s in range(self.firms.n)], random=self.random)

    @property
    def talents(self) -> mesa.agent.AgentSet:
        return mesa.agent.AgentSet([self.talent.handle(s) for s in range(self.talent.n)], random=self.random)

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        """One year: the stages of :data:`sim.model.plan.PLAN`, in order (the cyclic garbage
        collector paused: sim/core/memory.py)."""
        with no_cycle_collection(freeze=not self.firms.lazy):
            if self.stage_seconds is None:
                for run in self._stages:
                    run()
            else:
                clock = time.perf_counter
                for name, run in zip(STAGE_NAMES, self._stages):
                    t0 = clock()
                    run()
                    self.stage_seconds[name] += clock() - t0
        if self.max_years is not None and self.steps >= self.max_years:
            self.running = False

    def _start_year(self) -> None:
        self._reset_flows()
        self.hooks.start_year(self)

    def _end_year(self) -> None:
        self.hooks.end_year(self)

    def _reset_flows(self) -> None:
        fl = self.flows
        for k, v in fl.items():
            if type(v) is np.ndarray:
                v.fill(0.0)
            else:
                fl[k] = 0.0

    def _talent_moves(self) -> None:
        t, p, S, y, fl = self.talent, self.params, self.streams, self.steps, self.flows
        scale = float(p.talent_scale)
        nz = self.n_zone_slots
        # retirements
        retire = S.below("talent.retire", y, t.key[:t.n], float(p.retirement_rate))
        if yearly.on() and retire.dtype == np.int64:  # compiled: the same counts and sums (sim/core/yearly.py)
            in_zone = yearly.retire_flows(t.zone, retire, scale, fl["talent_outflow"])
        else:
            rz = t.zone[retire]
            gone = group_sum(rz + 1, None, nz + 1)  # retirees by zone slot + 1; bin 0: outside
            fl["talent_outflow"] += gone[1:] * scale
            in_zone = rz.size - gone[0]
        fl["region_talent_outflow"] += float(in_zone) * scale  # those in a zone
        t.remove(retire)  # nothing refers to a cohort by slot, so the moves need no follow-up
        # graduates: a share of the region's stock, home zones in proportion to head-counts: one
        # Poisson per home zone (the same distribution as a Poisson total split by head-counts)
        zk = self.zones.key
        if yearly.on():  # compiled: the years, talent_by_zone's counts and the means in one pass (sim/core/yearly.py)
            heads, lam = np.empty(nz), np.empty(nz)
            yearly.heads_years(t.zone[:t.n], t.years[:t.n], scale, float(p.graduate_rate), heads, lam)
            n_grad = S.poisson("talent.graduates", y, zk, lam)
            home = yearly.repeat_index(n_grad) if n_grad.dtype == np.int64 else None
            if home is None:  # numpy decides (a negative count raises)
                home = np.repeat(np.arange(nz), n_grad)
        else:
            t.years[:t.n] += 1
            heads = self.talent_by_zone()
            n_grad = S.poisson("talent.graduates", y, zk, p.graduate_rate * heads / scale)
            home = np.repeat(np.arange(nz), n_grad)
        gk = counted_keys(GRADUATE, y, zk, n_grad)
        settled = t.n
        t.add(int(home.size), key=gk, zone=OUTSIDE, home=home,
              skill=S.lognormal("talent.graduate_skill", y, gk, -p.skill_sigma**2 / 2, p.skill_sigma))
        # who reconsiders: graduates, a share of the settled, more of those without a job
        r = S.uniform("talent.reconsider", y, t.key[:t.n])
        if yearly.on():  # compiled: the same comparisons (sim/core/yearly.py)
            movers = yearly.movers(r, float(p.reconsider_rate), t.employer[:t.n], settled)
        else:
            consider = (r < p.reconsider_rate) | ((t.employer[:t.n] < 0) & (r < 0.5))
            consider[settled:] = True
            movers = np.flatnonzero(consider)
        housing = zon.housing_cost(self, heads)
        new = tal.choose_location(self, movers, self.job_odds, housing)
        if yearly.on():  # compiled: the same counts, sums and writes (sim/core/yearly.py)
            left0, came0 = yearly.move_flows(movers, new, t.zone, t.employer, scale, fl["talent_outflow"],
                                             fl["talent_inflow"])
            fl["region_talent_inflow"] += float(left0) * scale
            fl["region_talent_outflow"] += float(came0) * scale
            return
        old = t.zone[movers]
        moved = new != old
        old, new = old[moved], new[moved]
        left = group_sum(old + 1, None, nz + 1)  # movers by zone slot + 1 they left; bin 0: outside
        came = group_sum(new + 1, None, nz + 1)  # ... and they came to
        fl["talent_outflow"] += left[1:] * scale
        fl["talent_inflow"] += came[1:] * scale
        # a mover changed place: one who left the outside came to a zone, one who came to it left a zone
        fl["region_talent_inflow"] += float(left[0]) * scale
        fl["region_talent_outflow"] += float(came[0]) * scale
        slots = movers[moved]
        t.zone[slots] = new
        t.employer[slots] = -1

    def _labour_market(self) -> None:
        t = self.talent
        _, _, self.job_odds = tal.hire_with_odds(self)
        C = t.n
        if yearly.on():  # compiled: skill_premium's steps and the products below (sim/core/yearly.py)
            yearly.wages(t.skill[:C], float(self.params.skill_wage_premium), CNY_K_PER_M, self.zones.wage, t.zone[:C],
                         t.employer[:C], t.wage[:C])
            return
        employer, zone = t.employer[:C], t.zone[:C]
        premium = tal.skill_premium(self, t.skill[:C])  # a new array: scaled in place
        premium *= CNY_K_PER_M  # CNY_K_PER_M * premium: the same product
        wage = np.multiply(self.zones.wage[zone], premium, out=t.wage[:C])
        wage *= employer >= 0

    def _production(self) -> None:
        f, fl, nz = self.firms, self.flows, self.n_zone_slots
        self.year_data.service = zon.service_effect(self)
        self.year_data.cells = ent.cells(self)  # zones and sectors do not change until firm dynamics
        sums: dict[str, np.ndarray] = {}
        emp = ent.produce(self, self.year_data.service, self.year_data.cells, sums)
        if sums:  # summed by the compiled production on the way: the same sums (sim/core/fused.py)
            by_cell, rd, tax = sums["by_cell"], sums["rd"], sums["tax"]
        else:  # output by (zone, sector) cell (value added: output x the sector's ratio), R&D and tax by zone: one pass
            by_cell, rd, tax = cell_zone_sums(self.year_data.cells, f.zone[:f.n], f.output[:f.n],
                                              (f.rd[:f.n], f.tax[:f.n]), nz * N_SECTORS, nz)
        by_cell = by_cell.reshape(nz, -1)
        fl["output"] += by_cell.sum(axis=1)
        fl["value_added"] += (by_cell * self.sector_va).sum(axis=1)  # not @: BLAS threads would spin
        fl["rd"] += rd
        fl["tax"] += tax
        self.zones.wage[:] = np.where(emp > 0, self.params.labour_share * fl["value_added"] / np.maximum(emp, 1e-9),
                                      self.zones.wage)
        emp_sum = emp.sum(dtype=np.float64)
        if emp_sum > 0:  # np.average(wage, weights=emp), as it computes it
            self.region_mean_wage = float(np.multiply(self.zones.wage, emp, dtype=np.float64).sum() / emp_sum)

    def _innovation(self) -> None:
        f = self.firms
        ent.innovate(self, self.year_data.cells)
        # the int counts summed as floats, as bincount sums its float copy of them (compiled: no copy)
        self.flows["innovations"] += group_sum(f.zone[:f.n], f.innovations[:f.n], self.n_zone_slots)

    def _land(self) -> None:
        demand = zon.land_demand(self, self.occupied_land())
        quota = self.params.land_quota
        allot = self.hooks.allocate_land(self, demand)
        if allot is None:
            total = demand.sum()
            allot = demand if total <= quota else demand * (quota / total)
        self.flows["land_quota_issued"] = quota
        if zon.allot_and_develop(self, allot):  # compiled: the same sums (sim/core/yearly.py)
            return
        self.zones.land_allotted += allot
        self.flows["land_allotted"] += allot
        zon.develop_land(self)

    def _firm_dynamics(self) -> None:
        f, fl, nz = self.firms, self.flows, self.n_zone_slots
        gone = ent.exits(self)
        fl["exits"] += group_sum(f.zone[gone], None, nz)
        self._remove_firms(gone)
        occupied = ent.grow(self)  # the land occupied after growth, when grow summed it (else None)
        free = self.free_land(occupied)
        service = self.year_data.service
        base = ent.attraction_base(self, service)  # zones' attractiveness before free land: relocation and entry
        moves = ent.relocate(self, service, free, base)  # updates free for the moves
        if moves.size:
            fl["moves_out"] += group_sum(moves[:, 0], None, nz)
            fl["moves_in"] += group_sum(moves[:, 1], None, nz)
        new = ent.entrants(self, service, self.talent_by_zone(), free, base)
        self._admit(new, free)

    def _remove_firms(self, gone: np.ndarray) -> None:
        """Close the firms in slots ``gone``; the firms moved into their slots (the pool stays
        compact) keep their employees, and the cohorts of closed firms lose their job (they
        reconsider next year)."""
        n_old = self.firms.n
        src, dst = self.firms.remove(gone)
        if gone.size:
            t = self.talent
            employer = t.employer[:t.n]
            if firm_k.follow_employers(employer, gone, src, dst, n_old):  # compiled: the same slots (sim/core/firm_k.py)
                return
            follow = np.arange(-1, self.firms.capacity)  # follow[slot + 1]: the slot's new slot, -1 closed
            follow[gone + 1] = -1
            follow[src + 1] = dst
            employer[:] = follow[employer + 1]

    def _admit(self, new: dict[str, np.ndarray], free: np.ndarray) -> None:
        """Entrants take free land in their zone's queue: start-ups, then spin-offs, then
        arrivals, each in a key-based random order (a yearly stream); the rest are turned away."""
        fl, nz = self.flows, self.n_zone_slots
        z, land = new["zone"], new["land"]
        if z.size == 0:
            return
        consts = self.streams.compiled_constants("entry.admit_queue", self.steps)
        got = None
        if consts is not None and free.shape == (nz,):  # the steps below in one compiled call, the same numbers
            got = kernels.admit_queue(new["key"], consts, z, new["origin"], land, free)
        if got is not None:
            rows, counts = got
        else:
            order = self.streams.order("entry.admit_queue", self.steps, new["key"], z * 4 + new["origin"])
            ok = ent.queue_fits(order, land, z, np.maximum(free, 0.0))
            # entrants by zone and origin (1 start-ups, 2 spin-offs, 3 arrivals; 4: turned away), counted at once
            counts = np.bincount(np.where(ok, z * 5 + new["origin"], z * 5 + 4), minlength=5 * nz).reshape(nz, 5)
            rows = np.flatnonzero(ok)
        for code, name in ((4, "entries_blocked"), (1, "startups"), (2, "spinoffs"), (3, "arrivals")):
            fl[name] += counts[:, code]
        # the admitted entrants' rows, gathered straight into the pool's columns (no copies first)
        self.firms.add(rows.size, rows=rows if rows.size < z.size else None, **new)

    def _public_finance(self) -> None:
        zon.public_finance(self, self.flows["tax"])
        self.zones.output_prev[:] = self.flows["output"]

    def _evaluation(self) -> None:
        self.year_data.census = census(self)  # firms and people per zone: taken once, reused by _record
        stats = self.recorder.evaluation_outcomes(self, self.year_data.census)  # zone_outcomes; _record may reuse it
        stats["amenity"] = self.zones.amenity
        self.hooks.evaluation_stats(self, stats)  # levers (hosting) may re-attribute output
        self.government.evaluate(stats)
        self.committees.learn()  # committees learn from the published scores
        if self.steps > 0:
            self.hooks.after_evaluation(self)
            self.government.rank()  # levers may have changed levels: ranks follow the new classes

    def pay(self, slots: np.ndarray, amounts: np.ndarray) -> None:
        """Region pays zones (rewards, support): added to next year's budget and recorded."""
        np.add.at(self.zones.transfers, slots, amounts)
        np.add.at(self.flows["transfers"], slots, amounts)

    def _record(self) -> None:
        self.recorder.collect(self, self.year_data.census)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ results
    def results(self) -> pd.DataFrame:
        """The tidy table of every recorded year (zones and region)."""
        return self.recorder.frame(self)

    def run(self, years: int) -> pd.DataFrame:
        for _ in range(years):
            self.step()
        return self.results()
