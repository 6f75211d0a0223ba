# The request fixtures of the cases app (a park request in 酉阳, its staff, a settable clock).
from daiban.cases.tests.conftest import clock, items, park_project, rep, staff, town_project  # noqa: F401
