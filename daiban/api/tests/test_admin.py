"""API clients in the admin: a new client's key is shown once and never stored; rotate and revoke."""

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from daiban.api import signing
from daiban.api.models import ApiClient, ApiKey
from daiban.organizations.tests.factories import UserFactory


def test_a_new_clients_secret_is_shown_once(youyang):
    operator = UserFactory.create(is_superuser=True, is_staff=True)
    http = Client()
    http.force_login(operator)
    form = {
        "name": "酉阳工改系统",
        "jurisdiction": youyang.pk,
        "scopes": ["read_cases", "post_item_events"],
        "rate_limit_per_minute": 600,
        "is_active": "on",
        "keys-TOTAL_FORMS": "0",
        "keys-INITIAL_FORMS": "0",
    }
    response = http.post(reverse("admin:api_apiclient_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    client = ApiClient.objects.get(name="酉阳工改系统")
    assert client.scopes == ["read_cases", "post_item_events"]
    key = ApiKey.objects.get(client=client)
    secret = signing.derive_secret(key.key_id, key.salt)
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert key.key_id in shown and secret in shown
    assert secret not in {key.salt, key.fingerprint} and signing.fingerprint(secret) == key.fingerprint
    changelist = reverse("admin:api_apiclient_changelist")
    assert secret in http.get(changelist).content.decode()  # the page after saving shows it
    page = http.get(reverse("admin:api_apiclient_change", args=[client.pk])).content.decode()
    assert key.key_id in page and secret not in page  # and never again
    http.post(changelist, {"action": "rotate", "_selected_action": [client.pk]})
    assert client.keys.count() == 2 and client.keys.filter(expires_at__isnull=False).count() == 1
    http.post(changelist, {"action": "revoke_all", "_selected_action": [client.pk]})
    assert not client.keys.filter(revoked_at__isnull=True).exists()
