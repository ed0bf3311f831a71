"""Settings for the test suite (pytest.ini): the development settings.

`baitang.settings` fails closed: without DEBUG in the environment it is
production mode. Tests run in development mode unless the environment says
otherwise; production behaviour is tested in fresh interpreters that load
`baitang.settings` with DEBUG=0 (baitang/tests/test_production_settings.py).
"""

import os

os.environ.setdefault("DEBUG", "1")

from baitang.settings import *  # noqa: E402, F403

# Each pytest process sends to and consumes from its own queue, so a worker a
# test starts never takes another xdist process's task (run against another
# test database), nor does a development worker on the same Redis take ours.
CELERY_TASK_DEFAULT_QUEUE = "tests-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
