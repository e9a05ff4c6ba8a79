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
