"""Walk an item along the proxy chain in tests. Later apps' fixtures (evaluation, ledgers, dashboards,
browser journeys) need items filed, decided and delivered on given days; these are the real steps, in order."""

import datetime as dt

from daiban.cases import services as steps
from daiban.cases.models import CaseItem
from daiban.organizations.models import User


def receive_all(item: CaseItem, agent: User) -> None:
    for line in item.checklist.select_related("material"):
        steps.update_checklist_line(line=line, status="received", promised_on=None, note="", by=agent)


def file_it(item: CaseItem, agent: User, *, filed_on: dt.date, ref: str | None = None) -> CaseItem:
    """Collect every material, mark ready and file under the receipt number `ref`."""
    item = steps.start_collecting(item=item, by=agent, expected_version=item.version)
    receive_all(item, agent)
    item = steps.mark_ready(item=item, by=agent, expected_version=item.version)
    return steps.file_item(item=item, external_ref=ref or f"T-{item.pk:06d}", filed_on=filed_on, by=agent,
                           expected_version=item.version)  # fmt: skip


def deliver_it(item: CaseItem, agent: User, reviewer: User, *, decided_on: dt.date) -> CaseItem:
    """Approve a filed item, pick the result up and hand it over in person, all on `decided_on`."""
    item = steps.approve(item=item, decided_on=decided_on, by=reviewer, expected_version=item.version)
    item = steps.pick_up(item=item, on=decided_on, by=agent, expected_version=item.version)
    return steps.deliver(item=item, method="in_person", delivered_on=decided_on, receiver="张经理", by=agent,
                         expected_version=item.version)  # fmt: skip
