from daiban.cases.tests.conftest import clock, items, park_project, rep, staff, town_project  # noqa: F401
