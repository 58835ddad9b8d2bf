"""Lab fixtures: small runs that finish in milliseconds, and tasks executed synchronously."""

from __future__ import annotations

from typing import Any

import pytest

# Small enough for tests (m = 10 facts, n = 10 people, 4 runs per point), big enough to learn something.
SMALL: dict[str, Any] = {"m": 10, "n": 10, "runs": 4}


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Run tasks inside enqueue(), as the ImmediateBackend does.

    django-tasks rebuilds its backends when the TASKS setting changes (a ``setting_changed`` receiver
    in django_tasks.signals), so this override takes effect for tasks declared at import time.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
