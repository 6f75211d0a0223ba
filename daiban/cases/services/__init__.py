"""Every write of the 帮代办 workflow, one module per part: `requests` (submission, acceptance, declining,
withdrawal, assignment, completion), `items` (the chain of one item up to its decision and pick-up),
`delivery` and `visits` (visits and chases). The functions most callers need are named here."""

from .delivery import deliver
from .items import (
    approve,
    end_special_procedure,
    file_item,
    mark_ready,
    pick_up,
    refuse,
    request_correction,
    resubmit,
    start_collecting,
    start_review,
    start_special_procedure,
    update_checklist_line,
)
from .requests import (
    RequestData,
    accept_request,
    assign_agent,
    assign_agent_to_items,
    complete_request_if_done,
    decline_request,
    register_window_request,
    submit_request,
    withdraw_request,
)
from .visits import VisitUpload, record_chase, record_visit

__all__ = [
    "RequestData",
    "VisitUpload",
    "accept_request",
    "approve",
    "assign_agent",
    "assign_agent_to_items",
    "complete_request_if_done",
    "decline_request",
    "deliver",
    "end_special_procedure",
    "file_item",
    "mark_ready",
    "pick_up",
    "record_chase",
    "record_visit",
    "refuse",
    "register_window_request",
    "request_correction",
    "resubmit",
    "start_collecting",
    "start_review",
    "start_special_procedure",
    "submit_request",
    "update_checklist_line",
    "withdraw_request",
]
