from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.onboarding.services import OnboardingDataError, onboard_jurisdiction


class Command(BaseCommand):
    help = (
        "Onboard a district from one TOML file: organisation, service zones, catalogue overrides, routing "
        "policy and service levels (all or nothing; see daiban/onboarding/README.md)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the onboarding file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            onboarding = onboard_jurisdiction(path=Path(options["file"]))
        except OnboardingDataError as exc:
            raise CommandError(f"{exc} — nothing was loaded") from exc
        jurisdiction = onboarding.jurisdiction
        version = jurisdiction.catalogue_versions.filter(status="in_force").first()
        catalogue = f"{version.version} ({version.item_count} items)" if version else "-"
        self.stdout.write(
            f"{jurisdiction.code} {jurisdiction.name}: {jurisdiction.units.count()} units, "
            f"{jurisdiction.service_zones.count()} service zones, catalogue {catalogue}; "
            f"routing policy {onboarding.routing.get('policy') or '(unchanged)'} and service levels in force"
        )
