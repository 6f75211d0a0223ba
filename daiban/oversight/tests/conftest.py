from daiban.cases.tests.conftest import clock, items, park_project, rep, staff, town_project  # noqa: F401
from daiban.feedback.tests.conftest import completed, dispatched, hall_manager, reviewer  # noqa: F401
