from typing import Any

from django.core.management.base import BaseCommand

from daiban.cases.deadlines import refresh_due_dates
from daiban.cases.models import CaseItem


class Command(BaseCommand):
    help = "Recompute every filed item's stored deadline (after an upgrade or an edit of a past holiday schedule)"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deadlines rewritten: {refresh_due_dates(CaseItem.objects.all())}")
