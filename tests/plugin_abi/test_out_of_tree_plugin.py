"""An out-of-tree plugin: tests/plugin_abi/out_of_tree is configured and built at test time as
its own CMake project that sees only the public headers, then loaded by mqgw two ways."""

import os
import re
import shutil
import socket
import subprocess

import pytest

from mqgw_harness import (PLUGIN_DIR, Gateway, base_config, run_to_exit, scaled, stderr_lines,
                          write_config)

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out_of_tree")


@pytest.fixture(scope="module")
def echo_plugin(tmp_path_factory):
    build = tmp_path_factory.mktemp("echo-build")
    args = ["cmake", "-S", SOURCE, "-B", str(build), "-G", "Ninja",
            "-DMQGW_INCLUDE_DIR=" + os.environ["MQGW_INCLUDE_DIR"]]
    if os.environ.get("MQGW_C_COMPILER"):
        args.append("-DCMAKE_C_COMPILER=" + os.environ["MQGW_C_COMPILER"])
    if os.environ.get("MQGW_SANITIZE") == "1":
        # The build signature must match the host's, which includes its sanitizer mode.
        args.append("-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer")
    subprocess.run(args, check=True, capture_output=True, timeout=120)
    subprocess.run(["cmake", "--build", str(build)], check=True, capture_output=True, timeout=120)
    path = build / "mqgw-echo.so"
    assert path.is_file()
    return str(path)


def echo_listener(greeting=None):
    listener = {"name": "echo", "bind": "127.0.0.1", "port": 0, "stack": ["tcp", "echo"]}
    if greeting is not None:
        listener["echo"] = {"greeting": greeting}
    return listener


def read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, "connection closed after %r" % data
        data += chunk
    return data


def check_echo(addr, greeting):
    with socket.create_connection(addr, timeout=scaled(5)) as sock:
        assert read_exactly(sock, len(greeting)) == greeting
        for chunk in [b"hello\n", b"\x00\x01\xff", b"x" * 100000]:
            sock.sendall(chunk)
            assert read_exactly(sock, len(chunk)) == chunk


def test_exports_only_the_entry_symbol(echo_plugin):
    out = subprocess.run(["nm", "-D", "--defined-only", echo_plugin], check=True,
                         capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in out.splitlines()
                if re.search(r" [TDBR] ", line)}
    assert exported == {"mqgw_plugin_entry"}


def test_loaded_with_plugins_key_greets_and_echoes(tmp_path, echo_plugin):
    cfg = base_config(plugins=[echo_plugin], listeners=[echo_listener("hi\n")])
    with Gateway(tmp_path, cfg) as gw:
        assert gw.stacks["echo"] == "tcp+echo"
        check_echo(gw.address("echo"), b"hi\n")


def test_greeting_defaults_to_empty(tmp_path, echo_plugin):
    cfg = base_config(plugins=[echo_plugin], listeners=[echo_listener()])
    with Gateway(tmp_path, cfg) as gw:
        check_echo(gw.address("echo"), b"")


def test_found_by_name_in_plugin_dir(tmp_path, echo_plugin):
    plugin_dir = tmp_path / "plugins"
    plugin_dir.mkdir()
    shutil.copy(echo_plugin, plugin_dir / "mqgw-echo.so")
    shutil.copy(os.path.join(PLUGIN_DIR, "mqgw-memory.so"), plugin_dir / "mqgw-memory.so")
    cfg = base_config(plugin_dir=str(plugin_dir), listeners=[echo_listener("dir\n")])
    with Gateway(tmp_path, cfg) as gw:
        check_echo(gw.address("echo"), b"dir\n")


def test_unknown_key_in_its_section_is_a_config_error(tmp_path, echo_plugin):
    text = "\n".join([
        "plugin_dir: " + PLUGIN_DIR,
        "plugins: [" + echo_plugin + "]",
        "listeners:",
        "  - name: echo",
        "    bind: 127.0.0.1",
        "    port: 0",
        "    stack: [tcp, echo]",
        "    echo:",
        "      greting: typo",
        "storage: {backend: memory}",
    ]) + "\n"
    path = write_config(tmp_path, text)
    proc = run_to_exit(path)
    lines = stderr_lines(proc)
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    m = re.match(r"^%s:(\d+):(\d+): (.+): (.+)$" % re.escape(path), lines[0])
    assert m and int(m.group(1)) == 9 and "greting" in m.group(3), lines[0]


def test_echo_frontend_cannot_serve_as_storage(tmp_path, echo_plugin):
    cfg = base_config(plugins=[echo_plugin], storage={"backend": "echo"})
    proc = run_to_exit(write_config(tmp_path, cfg))
    assert proc.returncode == 2, proc.stderr
    assert len(stderr_lines(proc)) == 1, proc.stderr
