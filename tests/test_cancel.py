"""Ctrl-C during long calls: a KeyboardInterrupt (never a PanicException), and the process stays
usable. Each case runs in a fresh interpreter, as a user's script would (the PanicException of
issue #12 needed a process that had not yet returned a NumPy array)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import fupin

CHILD = textwrap.dedent(
    """
    import json, os, signal, sys, threading
    import fupin

    def interrupted(call, delay):
        timer = threading.Timer(delay, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        try:
            call()
            outcome = "finished"
        except KeyboardInterrupt:
            outcome = "KeyboardInterrupt"
        except BaseException as e:  # the failure this test is about
            outcome = f"{type(e).__module__}.{type(e).__name__}: {e}"
        timer.join()
        return outcome

    big = fupin.datasets.synthetic(400_000, 1200, seed=3)
    drip = fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=100_000_000)
    out = {}
    which = sys.argv[1]
    if which == "plan":
        out["outcome"] = interrupted(lambda: fupin.plan(big, drip), 0.2)
    else:
        out["outcome"] = interrupted(
            lambda: fupin.simulate(big, [drip], replications=200, progress=False), 0.2
        )
    # Still usable afterwards: the same small plan and run as in an untouched process.
    small = fupin.datasets.county("changle", seed=1)
    p = fupin.plan(small, drip, years=range(2016, 2019))
    r = fupin.simulate(small, [drip], years=range(2016, 2019), replications=5, seed=4,
                       progress=False)
    out["plan"] = p.assignments.to_json()
    out["summary"] = r.summary().to_json()
    print("RESULT " + json.dumps(out))
    """
)

REFERENCE = textwrap.dedent(
    """
    import json
    import fupin
    drip = fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=100_000_000)
    small = fupin.datasets.county("changle", seed=1)
    p = fupin.plan(small, drip, years=range(2016, 2019))
    r = fupin.simulate(small, [drip], years=range(2016, 2019), replications=5, seed=4,
                       progress=False)
    print("RESULT " + json.dumps({"plan": p.assignments.to_json(),
                                  "summary": r.summary().to_json()}))
    """
)


def _run(code: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, f"child failed (rc {proc.returncode}): {proc.stderr[-2000:]}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="module")
def reference() -> dict:
    return _run(REFERENCE)


@pytest.mark.parametrize("which", ["plan", "simulate"])
def test_ctrl_c_gives_keyboard_interrupt_and_the_process_stays_usable(which, reference):
    out = _run(CHILD, which)
    assert out["outcome"] == "KeyboardInterrupt"
    assert out["plan"] == reference["plan"]
    assert out["summary"] == reference["summary"]


def test_read_csv_of_a_directory_is_an_io_error(tmp_path):
    with pytest.raises(fupin.FupinIOError) as info:
        fupin.Registry.read_csv(tmp_path)
    assert not isinstance(info.value, fupin.ValidationError)
    assert str(tmp_path) in str(info.value)


def test_csv_parse_errors_fill_row_and_column(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("household_id,village_id,size,income_per_capita\n1,1,3,2000\n2,1,3\n")
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(ragged)
    assert (info.value.row, info.value.column) == (2, "income_per_capita")
    assert "line 3" in str(info.value)

    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(
        b"household_id,village_id,size,income_per_capita\n1,1,3,2000\n"
        + "2,村一,3,2500\n".encode("gbk")
    )
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(gbk)
    assert (info.value.row, info.value.column) == (2, "village_id")
    assert info.value.value == '"\\xb4\\xe5\\xd2\\xbb"'  # 村一 in GBK
    assert "UTF-8" in str(info.value)


def test_a_duplicate_csv_header_is_reported_as_the_header(tmp_path):
    f = tmp_path / "dup.csv"
    f.write_text("household_id,village_id,size,size,income_per_capita\n1,1,3,3,2000\n")
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(f)
    assert info.value.column == "size"
    assert info.value.row is None
    assert "header" in str(info.value) and "row 0" not in str(info.value)


def test_csv_ids_beyond_64_bits_are_kept_exactly(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text(
        "household_id,village_id,size,income_per_capita\n"
        "9223372036854775808,1,3,2000\n18446744073709551617,1,2,2500\n"
    )
    reg = fupin.Registry.read_csv(f)
    ids = list(reg.households()["household_id"])
    assert [str(i) for i in ids] == ["9223372036854775808", "18446744073709551617"]
    # A duplicate of such an id names it exactly, not rounded.
    f.write_text(
        "household_id,village_id,size,income_per_capita\n"
        "18446744073709551617,1,3,2000\n18446744073709551617,1,2,2500\n"
    )
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(f)
    assert info.value.value == "18446744073709551617"
    assert info.value.row == 2


def test_an_endless_line_is_refused_not_read_into_memory(tmp_path):
    f = tmp_path / "one_line.csv"
    with open(f, "wb") as out:
        out.write(b"household_id,village_id,size,income_per_capita\n1,1,3,")
        out.write(b"9" * (3 << 20))  # 3 MiB without a line end
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(f)
    assert "line 2" in str(info.value) and "longer than" in str(info.value)


def test_threads_above_the_cap_are_refused_naming_the_parameter():
    reg = fupin.datasets.county("changle")
    with pytest.raises(fupin.ValidationError) as info:
        fupin.simulate(reg, replications=1, threads=10**6, progress=False)
    assert info.value.column == "threads"
    assert info.value.value == str(10**6)
    with pytest.raises(fupin.ValidationError):
        fupin.datasets.synthetic(10, 2, threads=5000)


PANIC = textwrap.dedent(
    """
    import json, fupin
    reg = fupin.datasets.county("changle", seed=1)
    drip = fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=2_000_000)
    p = fupin.plan(reg, drip, years=range(2016, 2019))
    tampered = json.loads(p.json)
    tampered["assignments"][0]["measure"] = 99  # past the catalogue's 11 measures
    bad = p._replace(json=json.dumps(tampered))
    try:
        fupin.simulate(reg, [drip], years=range(2016, 2019), replications=3, progress=False,
                       plans={"drip": bad})
        outcome = "no error"
    except fupin.FupinError as e:
        outcome = "FupinError"
    except BaseException as e:
        outcome = f"{type(e).__module__}.{type(e).__name__}: {e}"
    # Still usable afterwards.
    r = fupin.simulate(reg, [drip], years=range(2016, 2019), replications=3, progress=False)
    print("RESULT " + json.dumps({"outcome": outcome, "years": len(r.summary())}))
    """
)


def test_a_plan_that_would_panic_in_the_engine_is_an_error_not_a_hang():
    # Before the fix the engine's worker panicked (index out of bounds) and simulate hung forever;
    # the child's timeout turns a regression into a failure. (A check of plan JSON may refuse the
    # plan before the engine: that is a ValidationError, also a FupinError.)
    out = _run(PANIC)
    assert out["outcome"] == "FupinError"
    assert out["years"] == 3
