import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from daiban.portal.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current second-factor code of the demo logins (DEBUG only)"

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo codes are for DEBUG installations only")
        code = totp(bytes.fromhex(DEMO_TOTP_KEY))
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}  (valid for {left} more seconds)")
