"""pytest fixtures shared by the integration tests (see mqgw_harness for the environment)."""

import os

import pytest

import mqgw_harness


def pytest_configure(config):
    if not mqgw_harness.BIN or not os.access(mqgw_harness.BIN, os.X_OK):
        raise pytest.UsageError("MQGW_BIN must name the mqgw executable (ctest sets it)")


@pytest.fixture
def gw(tmp_path):
    """A running gateway with the default test config: one MQTT listener, 2 workers, admin."""
    with mqgw_harness.Gateway(tmp_path) as gateway:
        yield gateway
