from typing import Any

from django.core.management.base import BaseCommand

from daiban.workdays.services import seed_calendar_from_library


class Command(BaseCommand):
    help = "Store the holiday schedules the chinese-calendar library knows (years already stored are kept)"

    def handle(self, *args: Any, **options: Any) -> None:
        added = seed_calendar_from_library()
        self.stdout.write(
            f"calendar years added: {added[0]}–{added[-1]}" if added else "calendar already seeded"
        )
