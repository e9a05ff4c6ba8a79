"""The ``fupin`` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

import fupin
from fupin.cli import main


def test_profile_of_the_embedded_county(capsys):
    assert main(["profile"]) == 0
    out = capsys.readouterr().out
    assert "13,710" in out and "41,414" in out
    assert "villages above their exit threshold: 108 of 372" in out
    assert "illness" in out


def test_profile_of_csv_files(tmp_path, capsys, households, villages):
    reg = fupin.Registry.from_frame(households, villages)
    reg.write_csv(tmp_path / "h.csv", tmp_path / "v.csv")
    code = main(["profile", "--households", str(tmp_path / "h.csv"),
                 "--villages", str(tmp_path / "v.csv"), "--line", "3000"])
    assert code == 0
    out = capsys.readouterr().out
    assert "poverty line 3,000" in out
    # Poor people below 3,000: 3 + 2·1 + 2 + 1.5·3 + 2 = 13.5 of 26.5 (weighted) → P0 = 0.5094.
    assert "headcount ratio P0          0.5094" in out


def test_bad_csv_reports_row_and_exits_2(tmp_path, capsys, households):
    households.loc[6, "income_per_capita"] = float("nan")
    households.to_csv(tmp_path / "h.csv", index=False)
    assert main(["profile", "--households", str(tmp_path / "h.csv")]) == 2
    err = capsys.readouterr().err
    assert "row 7" in err and "income_per_capita" in err


def test_console_script_is_installed():
    done = subprocess.run([sys.executable, "-m", "fupin.cli", "profile", "--county", "pingguo"],
                          capture_output=True, text=True, check=True)
    assert "12,621" in done.stdout


# ---- fupin compare ------------------------------------------------------------------------------


def test_compare_on_the_embedded_county(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "--replications", "6", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "taiqian (synthetic, seed 0), 13,710 households" in out
    assert "uniform: uniform mix of industry, health, education, 111,650,000 yuan a year" in out
    assert "by_cause: by cause, poorest first, 111,650,000 yuan a year" in out
    assert "floor_only: welfare_floor only, poorest first, 111,650,000 yuan a year" in out
    for label in ("poor people by year", "cost per exit, yuan", "cost per sustained exit, yuan",
                  "sustained exits (2 y)", "differences against uniform", "paired", "unpaired",
                  "poor people 2020", "cost per sustained exit to 2020"):
        assert label in out, label
    # The default chart lands in the current directory, as a PNG.
    png = tmp_path / "fupin-compare.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "chart: fupin-compare.png" in out


def test_compare_reports_what_a_direct_run_gives(tmp_path, capsys):
    from fupin._compare import default_scenarios

    reg = fupin.datasets.county("changle", seed=0)
    assert main(["compare", "--county", "changle", "--budget", "2_000_000", "--replications", "4",
                 "--years", "2016-2018", "--no-plot", "--baseline"]) == 0
    out = capsys.readouterr().out
    res = fupin.simulate(reg, [*default_scenarios(2e6), fupin.Scenario("baseline")],
                         years=range(2016, 2019), replications=4, seed=0, progress=False)
    summary = res.summary()
    for name in ("uniform", "by_cause", "floor_only", "baseline"):
        s = summary.loc[(name, 2018)]
        assert f"{s['poor_people']:,.0f} ({s['poor_people_p5']:,.0f}–{s['poor_people_p95']:,.0f})" in out
    c = res.compare("uniform", "by_cause").set_index(["quantity", "year"]).loc[("poor_people", 2018)]
    assert f"{c['difference']:,.0f}" in out
    assert f"[{c['paired_low']:,.0f}, {c['paired_high']:,.0f}]" in out
    assert "chart:" not in out and not (tmp_path / "fupin-compare.png").exists()


def test_compare_with_own_registry_and_scenario_file(tmp_path, capsys, households, villages):
    reg = fupin.Registry.from_frame(households, villages)
    reg.write_csv(tmp_path / "h.csv", tmp_path / "v.csv")
    scenarios = [fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=30_000),
                 fupin.Scenario("flood", policy=fupin.policy.Uniform(), budget=30_000),
                 fupin.Scenario("pv", policy=fupin.policy.Uniform(mix=["pv"]), budget=30_000,
                                measures=[fupin.measures.AssetIncome("pv")])]
    fupin.write_scenarios(scenarios, tmp_path / "s.toml")
    code = main(["compare", "--households", str(tmp_path / "h.csv"), "--villages",
                 str(tmp_path / "v.csv"), "--scenarios", str(tmp_path / "s.toml"),
                 "--budget", "50000", "--replications", "5", "--reference", "flood",
                 "--plot", str(tmp_path / "c.png")])
    assert code == 0
    out = capsys.readouterr().out
    assert "drip: by cause, poorest first, 50,000 yuan a year" in out
    assert "pv: uniform mix of pv, 50,000 yuan a year" in out
    assert "differences against flood" in out
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_compare_bad_scenario_file_names_the_field(tmp_path, capsys):
    (tmp_path / "s.toml").write_text('[[scenario]]\nname = "x"\n[scenario.policy]\n'
                                     'rule = "uniform"\nmix = ["magic"]\n')
    code = main(["compare", "--scenarios", str(tmp_path / "s.toml"), "--no-plot"])
    assert code == 2
    assert "scenario[x].policy.mix" in capsys.readouterr().err


def test_compare_budget_replaces_only_the_yearly_amounts():
    from fupin._compare import _with_yearly_budget
    from fupin.policy import ByCause

    s = fupin.Scenario("x", policy=ByCause(), budget={
        "by_county": {"A": 1e6}, "carry_over": False,
        "guarantee_fund": {"capital": 2e6, "leverage": 5}})
    budget = _with_yearly_budget(s, 3e6).to_dict()["budget"]
    assert budget == {"yearly": 3e6, "carry_over": False,
                      "guarantee_fund": {"capital": 2e6, "leverage": 5.0}}
