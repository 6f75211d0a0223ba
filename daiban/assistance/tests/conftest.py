from daiban.cases.tests.conftest import clock, dispatched, items, park_project, rep, staff, town_project  # noqa: F401
