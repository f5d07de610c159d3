"""A broken config stops mqgw with exit code 2 and exactly one line on stderr,
`file:line:col: key.path: what is wrong`, pointing at the offending line."""

import re

import pytest

from mqgw_harness import PLUGIN_DIR, run_to_exit, stderr_lines, write_config

BASE = """\
workers: 2
plugin_dir: {plugin_dir}
log: {{level: info}}
limits:
  shutdown_timeout: 2s
  max_packet_size: 256KiB
listeners:
  - name: mqtt
    bind: 127.0.0.1
    port: 0
    stack: [tcp, mqtt]
storage:
  backend: memory
"""

SECOND_LISTENER = "  - {name: again, bind: 127.0.0.1, port: 1884, stack: [tcp, mqtt]}"

# (id, line to replace (1-based) or None to append, new text, expected key path fragment,
#  expected error line or None when the parser decides)
CASES = [
    ("unknown_top_level_key", 1, "workerz: 2", "workerz", 1),
    ("wrong_type", 1, "workers: many", "workers", 1),
    ("negative_workers", 1, "workers: -3", "workers", 1),
    ("port_out_of_range", 10, "    port: 70000", "port", 10),
    ("port_not_a_number", 10, "    port: http", "port", 10),
    ("unknown_listener_key", 9, "    bind: 127.0.0.1\n    bnid: 127.0.0.1", "bnid", 10),
    ("bad_size", 6, "  max_packet_size: 12 parsecs", "max_packet_size", 6),
    ("bad_duration", 5, "  shutdown_timeout: soon", "shutdown_timeout", 5),
    ("stack_not_a_list", 11, "    stack: tcp+mqtt", "stack", 11),
    ("unknown_log_level", 3, "log: {level: chatty}", "level", 3),
    ("missing_required_key", 9, "", "bind", None),
    # Two listeners on one address and port is caught before binding: lines 12 and 13.
    ("duplicate_listener_port", 12, "\n".join([SECOND_LISTENER, SECOND_LISTENER.replace(
        "again", "twice"), "storage:"]), "listeners[2].port", 13),
]

ERROR_LINE = r"^{path}:(\d+):(\d+): (.+): (.+)$"


def config_text(replace_line, new_text):
    lines = BASE.format(plugin_dir=PLUGIN_DIR).splitlines()
    if replace_line is not None:
        lines[replace_line - 1] = new_text
    return "\n".join(lines) + "\n"


def test_base_config_is_valid(tmp_path):
    path = write_config(tmp_path, config_text(None, None))
    proc = run_to_exit(path, "--check")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_broken_config_exits_2_with_one_located_line(tmp_path, case):
    _, line_no, text, key_fragment, expected_line = case
    path = write_config(tmp_path, config_text(line_no, text))
    proc = run_to_exit(path)
    lines = stderr_lines(proc)
    assert proc.returncode == 2, "exit %s, stderr:\n%s" % (proc.returncode, proc.stderr)
    assert len(lines) == 1, "expected one stderr line, got:\n" + proc.stderr
    m = re.match(ERROR_LINE.format(path=re.escape(path)), lines[0])
    assert m, "not file:line:col: key: what: %r" % lines[0]
    if expected_line is not None:
        assert int(m.group(1)) == expected_line, lines[0]
    if key_fragment is not None:
        assert key_fragment in m.group(3), lines[0]
    assert "mqgw: ready" not in proc.stdout


def test_yaml_syntax_error_exits_2_with_its_position(tmp_path):
    # A syntax error has no key path: only file:line:col: what.
    path = write_config(tmp_path, config_text(11, "    stack: [tcp, mqtt"))
    proc = run_to_exit(path)
    lines = stderr_lines(proc)
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    m = re.match(r"^%s:(\d+):(\d+): .+$" % re.escape(path), lines[0])
    assert m and int(m.group(1)) in (11, 12), lines[0]


def test_missing_config_file_exits_2(tmp_path):
    proc = run_to_exit(tmp_path / "nope.yaml")
    assert proc.returncode == 2
    lines = stderr_lines(proc)
    assert len(lines) == 1 and "nope.yaml" in lines[0], proc.stderr
