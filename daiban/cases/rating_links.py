"""一事一评 links: a signed, salted token carrying one item's id, texted to the applicant after the item's
delivery. Signed here, where delivery happens; read by the feedback app, which records the rating."""

from django.conf import settings
from django.core import signing

SALT = "daiban.cases.item-rating-link"


def rating_token(item_id: int) -> str:
    return signing.dumps({"item": item_id}, salt=SALT, compress=True)


def item_id_from_token(token: str) -> int:
    """The item's id; raises `signing.SignatureExpired` after DAIBAN_RATING_LINK_DAYS and
    `signing.BadSignature` for anything tampered with or made up."""
    data = signing.loads(token, salt=SALT, max_age=settings.DAIBAN_RATING_LINK_DAYS * 86400)
    if not isinstance(data, dict) or not isinstance(data.get("item"), int):
        raise signing.BadSignature("no item in the token")
    return int(data["item"])
