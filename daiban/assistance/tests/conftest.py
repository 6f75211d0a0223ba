from daiban.cases.tests.conftest import (  # noqa: F401
    clock,
    dispatched,
    items,
    park_project,
    rep,
    staff,
    town_project,
)
