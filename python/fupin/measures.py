"""Assistance measures (五个一批 and the guarantees): cost, eligibility and effect, as data.

Every measure is a kind with parameters (defaults with sources, field by field, in the docstrings
below and in ``crates/fupin-core/src/measures/``) under a name. The default catalogue
(:func:`catalog`) holds one measure per kind under the kind's code, plus ``industry_credit``
(Industry with a 50,000-yuan guaranteed microcredit loan) and ``dividend_shares`` (Linfen's asset
income shares). A scenario's ``measures=[...]`` replaces catalogue measures of the same name and
adds new ones, so a user variant is one line::

    pv = fupin.measures.AssetIncome("pv_taiqian", payout_per_household=3500)
    cheap_floor = fupin.measures.WelfareFloor(reserve_share=0.5)     # replaces "welfare_floor"
    fupin.Scenario("pv", policy=fupin.policy.Uniform(mix=["pv_taiqian"]), measures=[pv])

Parameters are checked in Rust; a bad one raises :class:`fupin.ValidationError` naming the measure
and field (``measures[pv_taiqian].payout_per_household``). Every measure takes ``eligibility``, a
dict of conditions that must all hold: ``registered_only`` (default true), ``min_labour``,
``max_labour``, ``min_students``, ``inhospitable``, ``unsafe_housing``, ``vulnerable`` (at most
``vulnerable_max_labour`` members able to work, a disabled member, or half the members elderly) and
``causes`` (at least one of these cause codes). Fields not given keep the kind's defaults.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import pandas as pd

from . import _args, _native

__all__ = [
    "KINDS",
    "AssetIncome",
    "EcologicalCompensation",
    "Education",
    "Employment",
    "Health",
    "HousingRenovation",
    "Industry",
    "Measure",
    "Relocation",
    "WelfareFloor",
    "catalog",
    "defaults",
    "get",
]

#: Measure kinds, in catalogue order (the core's ``MeasureKind::ALL``).
KINDS: tuple[str, ...] = tuple(_native.MEASURE_KINDS)

_LABELS = {
    "industry": "产业 industry support",
    "asset_income": "资产收益 asset income",
    "employment": "转移就业 employment",
    "relocation": "易地搬迁 relocation",
    "housing_renovation": "危房改造 housing renovation",
    "welfare_floor": "低保兜底 welfare floor",
    "education": "教育 education",
    "health": "健康 health",
    "ecological_compensation": "生态补偿 ecological compensation",
}


class Measure:
    """A named measure of one kind: ``Measure("industry", "big_grant", grant_per_household=5000)``.

    ``name`` defaults to the kind's code (replacing the default measure of that name in a
    scenario). Parameters not given keep the kind's defaults; :attr:`params` shows them all.
    The subclasses (:class:`Industry`, :class:`AssetIncome`, …) fix the kind and document each
    parameter with its default and source.
    """

    __slots__ = ("_handle",)
    KIND: ClassVar[str | None] = None

    def __init__(self, kind: str, name: str | None = None, **params: Any) -> None:
        if kind not in KINDS:
            raise _args.error(f"kind must be one of {KINDS}, got {kind!r}", "kind", value=repr(kind))
        spec = {"name": str(kind if name is None else name), "kind": kind, **params}
        self._handle: _native.Measure = _checked(spec)

    @staticmethod
    def _wrap(handle: _native.Measure) -> Measure:
        """The measure of a native handle (already validated), as its kind's class."""
        cls = _BY_KIND.get(json.loads(handle.to_json())["kind"], Measure)
        m = cls.__new__(cls)
        m._handle = handle
        return m

    @staticmethod
    def from_dict(spec: Mapping[str, Any]) -> Measure:
        """A measure from its dict form (``{"name": ..., "kind": ..., **params}``)."""
        return Measure._wrap(_checked(dict(spec)))

    @property
    def name(self) -> str:
        return str(json.loads(self._handle.to_json())["name"])

    @property
    def kind(self) -> str:
        return str(json.loads(self._handle.to_json())["kind"])

    @property
    def params(self) -> dict[str, Any]:
        """Every parameter (defaults filled in), ``eligibility`` included."""
        return {k: v for k, v in self.to_dict().items() if k not in ("name", "kind")}

    def replace(self, name: str | None = None, **params: Any) -> Measure:
        """A variant: this measure with some parameters changed (and a new name, if given)."""
        spec = {**self.to_dict(), **params}
        if name is not None:
            spec["name"] = str(name)
        return Measure.from_dict(spec)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self._handle.to_json())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Measure) and self._handle == other._handle

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, kind={self.kind!r})"


def _checked(spec: dict[str, Any]) -> _native.Measure:
    """The native measure of a spec: parsed and validated once, by the core."""
    if "kind" not in spec:
        raise _args.error("a measure needs a 'kind' (one of " + ", ".join(KINDS) + ")", "kind")
    if "name" not in spec:
        spec = {"name": spec["kind"], **spec}
    return _native.Measure.from_json(json.dumps(spec))


def _kind_class(kind: str, doc: str) -> type[Measure]:
    def __init__(self: Measure, name: str = kind, **params: Any) -> None:
        Measure.__init__(self, kind, name, **params)

    cls_name = "".join(part.capitalize() for part in kind.split("_"))
    cls = type(cls_name, (Measure,), {"__init__": __init__, "__doc__": doc, "KIND": kind,
                                      "__slots__": (), "__module__": __name__})
    return cls


Industry = _kind_class("industry", """Industry support (产业扶贫): a one-off grant, optionally a guaranteed
microcredit loan, and extra income after a lag, random, with a yearly risk of failure.

Cost: ``grant_per_household`` and the guarantee reserve ``loan_per_household / leverage`` in the
start year, plus the interest subsidy ``loan × interest_subsidy_rate`` in each year of the loan.
Effect: from ``lag`` years on, while the venture survives (it fails for good with probability
``failure_probability`` a year), income per household rises by a lognormal gain of mean
``income_gain`` (log-sd ``gain_log_sd``) plus ``loan × loan_return``; ``duration`` limits the
years of gain (None: the rest of the run). Eligible by default: at least one member able to work.

Defaults and sources: ``grant_per_household`` 3,500 (Pingguo's start-up grant, seed 004);
``loan_per_household`` 0 (``industry_credit``: 50,000, the national poverty microcredit,
国开办发〔2014〕78号); ``leverage`` 10 (Taiqian's 10 M yuan fund backed 100 M of loans, seed 000);
``interest_subsidy_rate`` 0.0475 (PBoC benchmark rate from October 2015, fully subsidised);
``loan_years`` 3 (national policy); ``loan_return`` 0.10, ``income_gain`` 2,500, ``gain_log_sd``
0.5, ``lag`` 1, ``failure_probability`` 0.10 (assumptions).
""")

AssetIncome = _kind_class("asset_income", """Asset income (资产收益: PV, dividend shares): an investment
on the household's behalf paying a stable yearly dividend.

Cost: ``investment_per_household + investment_per_person × size`` in the start year. Effect: from
``lag`` years on, for ``duration`` years (None: the rest of the run), income rises by
``payout_per_household + payout_per_person × size``. No randomness. Eligible: any registered
household (suits households without labour).

Defaults and sources: ``investment_per_household`` 24,000 (assumption: a 3 kW household PV system
at about 8 yuan/W, 2016); ``payout_per_household`` 3,000 (DESIGN.md's PV figure of 3,000–3,500
yuan a year, Taiqian seed 000: about 3,500); ``lag`` 1 (assumption). ``dividend_shares`` in the
default catalogue: 27 M yuan for 10,144 people paying 391.25 yuan per person a year (Linfen, seed 001).
""")

Employment = _kind_class("employment", """Employment (转移就业): training, then each year a chance of a
wage job, kept with a yearly risk of losing it, and a wage subsidy while employed.

Cost: ``training_per_worker`` per worker in the start year; ``wage_subsidy_per_month ×
subsidy_months`` per employed worker in each of the first ``subsidy_years`` years (random; reserved
in full). Effect: from ``lag`` years on, unemployed workers are placed with probability
``placement_probability`` a year and lose the job with ``job_loss_probability``; while employed the
household earns ``earnings_per_worker`` per worker plus the subsidy; ``workers_per_household``
(at most the labour) are trained. Eligible: at least one member able to work.

Defaults and sources: ``training_per_worker`` 2,000 (雨露计划 and training programmes: about
1,500–3,000 yuan per trainee); ``placement_probability`` 0.5 (assumption; Changle placed 80 jobs in a
year, seed 002); ``job_loss_probability`` 0.15 (assumption); ``earnings_per_worker`` 10,000
(migrant workers averaged 3,275 yuan a month in 2016, NBS; about a third of ten months' pay reaches
the household); ``wage_subsidy_per_month`` 300 (Pingguo, seed 004); ``subsidy_months`` 10,
``subsidy_years`` 3, ``workers_per_household`` 1, ``lag`` 0 (assumptions).
""")

Relocation = _kind_class("relocation", """Relocation (易地扶贫搬迁) out of places where "the land cannot
feed its people".

Cost: ``cost_per_person × size`` spread over ``years_to_move`` years. Effect once moved: safe
housing; market income falls by ``farm_income_loss``; wage jobs near the new site add
``wage_gain_per_worker`` per member able to work. Eligible: households flagged ``inhospitable``.

Defaults and sources: ``cost_per_person`` 40,607.77 (Xiangning relocated 7,437 registered poor
people for 302 M yuan, seed 001); ``years_to_move`` 2 (DESIGN.md: 1–2 years); ``farm_income_loss``
0.3 and ``wage_gain_per_worker`` 3,000 (assumptions).
""")

HousingRenovation = _kind_class("housing_renovation", """Housing renovation (危房改造): makes the house safe.

Cost: ``cost_per_household`` in the start year. Effect: safe housing from ``lag`` years on.
Eligible: households with unsafe housing. Defaults: ``cost_per_household`` 14,000 (the central
subsidy for poor households' renovations averaged about 14,000 yuan from 2017; Pingguo renovated
800 houses, seed 004); ``lag`` 0.
""")

WelfareFloor = _kind_class("welfare_floor", """The welfare floor (低保兜底): each year net income per person
is topped up to ``floor_ratio × line``.

Cost: the gap, random (it follows the draws); the plan reserves ``reserve_share × floor_ratio ×
line × size`` a year and the top-up is capped at the reservation, so spending never exceeds it.
Eligible by default: vulnerable households (little or no labour, elderly, disabled); open it to
every registered household with ``eligibility={"vulnerable": False}``.

Defaults and sources: ``floor_ratio`` 1 (the dibao standard raised to the poverty line, 两线合一,
国办发〔2016〕70号); ``reserve_share`` 1 (a full guarantee: the cap never binds).
""")

Education = _kind_class("education", """Education (教育扶贫, 雨露计划): pays the students' schooling costs and
the compulsory-education guarantee; vocational training raises earnings after a lag.

Cost: ``cost_per_student × students`` a year. Effect: schooling costs removed; the schooling
guarantee holds; from ``lag`` years on income rises by ``vocational_share ×
earnings_gain_per_student`` per student. Eligible: households with students.

Defaults and sources: ``cost_per_student`` 3,000 (雨露计划 paid 3,000 yuan a year per vocational
student of registered households, LGOP 2015); ``vocational_share`` 0.3, ``earnings_gain_per_student``
3,000, ``lag`` 3 (assumptions).
""")

Health = _kind_class("health", """Health (健康扶贫): pays the insurance premium (the household is insured)
and reimburses health costs down to a target out-of-pocket share.

Cost: ``premium_per_person × size`` a year plus reimbursements (random), capped at
``reimbursement_cap`` per household-year, which the plan reserves. Effect: insured; of a health
shock's cost the household pays at most what it would pay insured, down to ``target_oop_share``.
Eligible: any registered household.

Defaults and sources: ``premium_per_person`` 180 (individual contribution to rural resident medical
insurance in 2017, NHSA and MoF); ``target_oop_share`` 0.1 (健康扶贫三年攻坚, 2017: about 10 % out of
pocket); ``reimbursement_cap`` 5,000 (assumption).
""")

EcologicalCompensation = _kind_class("ecological_compensation", """Ecological compensation (生态补偿):
ranger posts (生态护林员) and grain-to-green payments (退耕还林).

Cost and effect are the same money: ``rangers_per_household × ranger_wage`` a year and, for the
first ``grain_to_green_years`` years, ``grain_to_green_per_household``. Eligible: at least one
member able to work. Defaults and sources: ``ranger_wage`` 10,000 (national ranger posts for poor
people, MoF and SFA 2016); ``grain_to_green_per_household`` 1,200 and ``grain_to_green_years`` 5
(the 2014 round: 1,200 yuan per mu over five years; 5 mu assumed); ``rangers_per_household`` 1.
""")

_BY_KIND: dict[str, type[Measure]] = {
    c.KIND: c for c in (Industry, AssetIncome, Employment, Relocation, HousingRenovation,  # type: ignore[misc]
                        WelfareFloor, Education, Health, EcologicalCompensation)
}


def defaults() -> list[Measure]:
    """The measures of the default catalogue, in order (the order of spending categories)."""
    return [Measure._wrap(m) for m in _native.default_measures()]


def get(name: str) -> Measure:
    """The default measure called ``name`` (start a variant from it with :meth:`Measure.replace`)."""
    for m in defaults():
        if m.name == name:
            return m
    names = [m.name for m in defaults()]
    raise _args.error(
        f"no measure {name!r} in the default catalogue; it has {names}", "name", value=repr(name)
    )


def eligibility_text(rule: Mapping[str, Any]) -> str:
    """An eligibility rule in words (``"registered; labour ≥ 1"``)."""
    parts = []
    if rule.get("registered_only", True):
        parts.append("registered")
    if rule.get("min_labour", 0):
        parts.append(f"labour ≥ {rule['min_labour']}")
    if rule.get("max_labour") is not None:
        parts.append(f"labour ≤ {rule['max_labour']}")
    if rule.get("min_students", 0):
        parts.append(f"students ≥ {rule['min_students']}")
    if rule.get("inhospitable"):
        parts.append("inhospitable location")
    if rule.get("unsafe_housing"):
        parts.append("unsafe housing")
    if rule.get("vulnerable"):
        parts.append(f"vulnerable (labour ≤ {rule.get('vulnerable_max_labour', 0)}, "
                     "disabled or half elderly)")
    if rule.get("causes"):
        parts.append("cause in " + "/".join(rule["causes"]))
    return "; ".join(parts) if parts else "anyone"


def catalog(measures: list[Measure] | None = None) -> pd.DataFrame:
    """The default catalogue (with ``measures`` replacing or added by name) as a DataFrame indexed
    by name: ``kind``, ``label`` (Chinese and English), ``eligibility`` (in words) and
    ``parameters`` (a dict of every other parameter)."""
    rows = {m.name: m for m in defaults()}
    for m in measures or []:
        if not isinstance(m, Measure):
            raise TypeError(f"measures must be fupin.measures.Measure objects, got {type(m).__name__}")
        rows[m.name] = m
    records = []
    for name, m in rows.items():
        params = m.params
        rule = params.pop("eligibility", {})
        records.append({"name": name, "kind": m.kind, "label": _LABELS[m.kind],
                        "eligibility": eligibility_text(rule), "parameters": params})
    return pd.DataFrame.from_records(records).set_index("name")
