"""The loader refuses each broken plugin fixture with exit code 3 and exactly one stderr line,
`mqgw: plugin <path>: <reason>`, whose reason names what is wrong."""

import os
import re

import pytest

from mqgw_harness import FIXTURE_DIR, base_config, run_to_exit, stderr_lines, write_config


def fixture(name):
    return os.path.join(FIXTURE_DIR, name + ".so")


# (fixture files in load order, the one that must be blamed, regex for the reason)
CASES = [
    ("bad_major", ["bad_major"], "bad_major", r"ABI major"),
    ("bad_minor", ["bad_minor"], "bad_minor", r"newer"),
    ("bad_struct", ["bad_struct"], "bad_struct", r"struct"),
    ("missing_symbol", ["missing_symbol"], "missing_symbol", r"mqgw_plugin_entry"),
    ("entry_fails", ["entry_fails"], "entry_fails", r"entry returned an error"),
    ("duplicate_name", ["dup_name_a", "dup_name_b"], "dup_name_b", r"duplicate.*'dup'"),
    ("same_file_twice", ["dup_name_a", "dup_name_a"], "dup_name_a", r"duplicate"),
    ("bad_build_signature", ["bad_sig"], "bad_sig", r"build signature"),
]


def run_with_plugins(tmp_path, paths):
    cfg = base_config(plugins=paths)
    return run_to_exit(write_config(tmp_path, cfg))


def assert_one_plugin_error(proc, path, reason):
    lines = stderr_lines(proc)
    assert proc.returncode == 3, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert len(lines) == 1, "expected one stderr line, got:\n" + proc.stderr
    prefix = "mqgw: plugin %s: " % path
    assert lines[0].startswith(prefix), lines[0]
    assert re.search(reason, lines[0][len(prefix):], re.IGNORECASE), lines[0]
    assert "mqgw: ready" not in proc.stdout


def test_fixtures_were_built():
    for name in ["bad_major", "bad_minor", "bad_struct", "missing_symbol", "entry_fails",
                 "dup_name_a", "dup_name_b", "bad_sig"]:
        assert os.path.isfile(fixture(name)), fixture(name)


def test_a_well_formed_fixture_loads(tmp_path):
    # dup_name_a alone is valid: proves the failures below come from what each fixture breaks.
    proc = run_to_exit(write_config(tmp_path, base_config(plugins=[fixture("dup_name_a")])),
                       "--check")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_plugin_exits_3_naming_path_and_reason(tmp_path, case):
    _, names, blamed, reason = case
    proc = run_with_plugins(tmp_path, [fixture(n) for n in names])
    assert_one_plugin_error(proc, fixture(blamed), reason)


def test_missing_file_in_plugins_list_is_a_config_error(tmp_path):
    # `plugins:` entries are files, checked with the rest of the config (docs/config.md): exit 2
    # and a located line naming the file, before the loader runs.
    path = str(tmp_path / "mqgw-nowhere.so")
    proc = run_with_plugins(tmp_path, [path])
    lines = stderr_lines(proc)
    assert proc.returncode == 2, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert len(lines) == 1, proc.stderr
    assert re.match(r"^.+\.yaml:\d+:\d+: plugins\[0\]: .*%s" % re.escape(path), lines[0]), \
        lines[0]


def test_stack_naming_an_absent_plugin(tmp_path):
    cfg = base_config(listeners=[{"name": "x", "bind": "127.0.0.1", "port": 0,
                                  "stack": ["tcp", "nosuchproto"]}])
    proc = run_to_exit(write_config(tmp_path, cfg))
    expected = os.path.join(cfg["plugin_dir"], "mqgw-nosuchproto.so")
    assert_one_plugin_error(proc, expected, r"not found|missing|no such file")
