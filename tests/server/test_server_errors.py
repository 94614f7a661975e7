"""The mapping from garment3d's error tree to HTTP status codes."""

from __future__ import annotations

import pytest

from garment3d import errors
from server.auth import AuthenticationError, ForbiddenError
from server.errors import ConflictError, GoneError, PayloadTooLargeError, SampleNotReadyError, status_for
from server.jobs.queue import QueueFullError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidRequestError, 422),
        (errors.InvalidMeasurementsError, 422),
        (errors.UnknownPatternError, 422),
        (errors.UnknownFabricError, 422),
        (errors.InvalidPatternError, 422),
        (errors.InvalidFabricError, 422),
        (errors.NotFoundError, 404),
        (SampleNotReadyError, 409),
        (ConflictError, 409),
        (GoneError, 410),
        (PayloadTooLargeError, 413),
        (AuthenticationError, 401),
        (ForbiddenError, 403),
        (errors.SimulationError, 500),
        (errors.RenderError, 500),
        (errors.Garment3DError, 500),
    ],
)
def test_status_for_each_error_class(error, status):
    assert status_for(error("message")) == status


def test_a_new_subclass_inherits_its_parents_status():
    class TooManyPanels(errors.InvalidPatternError):
        pass

    assert status_for(TooManyPanels("x")) == 422


def test_queue_full_is_429():
    assert status_for(QueueFullError("full", 5)) == 429
