from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daiban.organizations.services import load_organisations, organisation_data_files


class Command(BaseCommand):
    help = "Load jurisdictions, units, sections and windows from daiban/organizations/data/*.toml"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="division codes to load (default: all files)")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in organisation_data_files():
            if options["codes"] and path.stem not in options["codes"]:
                continue
            jurisdiction = load_organisations(path=path)
            self.stdout.write(f"{jurisdiction.code} {jurisdiction.name}: {jurisdiction.units.count()} units")
