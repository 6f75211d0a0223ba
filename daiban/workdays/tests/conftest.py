import chinese_calendar
import pytest

from daiban.workdays.engine import WorkCalendar
from daiban.workdays.services import library_years


@pytest.fixture(scope="session")
def cal() -> WorkCalendar:
    """The national calendar straight from the library (no database), as the engine sees it."""
    return WorkCalendar(
        years=library_years(),
        holidays=chinese_calendar.holidays.keys(),
        makeup_workdays=[d for d in chinese_calendar.workdays if d.weekday() >= 5],
    )
