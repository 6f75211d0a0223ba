from daiban.cases.tests.conftest import items, park_project, rep, staff, submitted, town_project  # noqa: F401
