"""Helpers of the service-level tests of tests/mutation."""

from __future__ import annotations

import pytest

from app.services import ServiceError

REGENCY = "62.09"  # a regency no other test writes to


def refusal(call, *args, **kwargs) -> tuple[str, str | None, int]:
    """The message, field and status of the ServiceError a call raises."""
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    return str(caught.value.message), caught.value.field, caught.value.status
