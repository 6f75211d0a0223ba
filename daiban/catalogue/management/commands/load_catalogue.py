from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daiban.catalogue.services import CatalogueDataError, catalogue_data_files, load_catalogue


class Command(BaseCommand):
    help = "Load approval catalogues from daiban/catalogue/data/<division code>.toml (idempotent per version)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="catalogue files (default: every jurisdiction file)")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or catalogue_data_files()
        for path in paths:
            try:
                version = load_catalogue(path=path)
            except CatalogueDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{version.jurisdiction.code} catalogue {version.version}: {version.item_count} items"
            )
