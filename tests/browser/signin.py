"""The sign-in step after the password, as a person with their phone does it: the code their authenticator
app shows, computed from the device's key the way the app computes it (django_otp.oath), never bypassed."""

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


def _code(device: TOTPDevice) -> str:
    """The app's current code; if this person already used the current one (django-otp refuses a code
    twice), the next step's code, which django-otp accepts within its tolerance."""
    device.refresh_from_db()
    now_t = int(time.time() - device.t0) // device.step
    t = max(now_t, device.last_t + 1)
    while t > now_t + device.tolerance:  # signed in twice within one step already: wait for the next
        time.sleep(1)
        now_t = int(time.time() - device.t0) // device.step
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def pass_second_factor(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Called right after the password form is sent: enrol (staff without a device) or enter the code."""
    page.wait_for_load_state()
    if "/accounts/second-factor/enrol/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        page.fill("input[name=code]", _code(device))
        page.click("main button[type=submit]")
        page.click("text=继续")
    elif "/accounts/second-factor/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("input[name=code]", _code(device))
        page.click("main button[type=submit]")
    page.wait_for_load_state()
