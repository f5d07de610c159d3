"""The durable storage backends the durability tests run against, as gateway config snippets.

Each backend is one `storage:` section plus an `available()` check; a test takes the list as a
pytest parameter and builds its gateway with `backend.config(state_dir)`. Adding a backend (Kafka,
AMQP) means adding one entry here: its snippet derives whatever must be unique per test (a
topic, an exchange) from state_dir, and available() says why it is skipped where its broker is
not reachable. The tests themselves do not change.
"""

import os

import pytest

from mqgw_harness import base_config


class DurableBackend:
    def __init__(self, name, storage, restart_only=False):
        self.name = name
        self._storage = storage          # state_dir -> the `storage:` section
        self.restart_only = restart_only  # not part of the crash (SIGKILL) matrix

    def storage(self, state_dir):
        return self._storage(str(state_dir))

    def available(self):
        """None when the backend can run here, else why it cannot (the test is skipped)."""
        return None

    def config(self, state_dir, **overrides):
        """A gateway config like base_config(), storing in this backend under state_dir."""
        return base_config(storage=self.storage(state_dir), **overrides)

    def __repr__(self):
        return self.name


def _native(fsync):
    def storage(state_dir):
        return {"backend": "native",
                "native": {"data_dir": os.path.join(state_dir, "native"), "fsync": fsync}}
    return storage


# fsync: interval keeps everything across a process crash too (the page cache survives it); only
# the restart tests run it, to keep the crash matrix short.
ALL = [
    DurableBackend("native-fsync-always", _native("always")),
    DurableBackend("native-fsync-interval", _native("interval"), restart_only=True),
]


def _params(backends):
    return [pytest.param(b, id=b.name,
                         marks=[pytest.mark.skipif(b.available() is not None,
                                                   reason=str(b.available()))])
            for b in backends]


def restart_params():
    """Every durable backend: the clean-restart tests."""
    return _params(ALL)


def crash_params():
    """The backends the SIGKILL tests run against."""
    return _params([b for b in ALL if not b.restart_only])


def memory_storage():
    """The non-durable backend: what a durable test must be able to tell apart."""
    return {"backend": "memory"}
