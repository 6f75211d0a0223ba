import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from daiban.common.tests.concurrency import Outcome, RaceTally, one_wins, run_together


def test_the_calls_really_overlap_and_every_outcome_is_kept_in_order():
    inside = [threading.Event(), threading.Event()]

    def call(me: int) -> str:
        inside[me].set()
        # Run one after the other, the first call would wait here in vain.
        if not inside[1 - me].wait(5):
            raise RuntimeError("ran alone")
        if me == 1:
            raise ValidationError("已被他人处理。")
        return "办好了"

    first, second = run_together(lambda: call(0), lambda: call(1), connect_first=False)
    assert first.ok and first.value == "办好了"
    assert second.refused and second.has_chinese_message and second.message == "已被他人处理。"
    assert one_wins([first, second])


def test_each_thread_speaks_the_callers_language():
    outcomes = run_together(translation.get_language, translation.get_language, connect_first=False)
    assert [o.value for o in outcomes] == ["zh-hans", "zh-hans"]


@pytest.mark.parametrize(
    "loser",
    [
        None,
        IntegrityError("duplicate key"),
        ValidationError("Someone else changed this item"),
        ValidationError(""),
    ],
    ids=["two-successes", "database-error", "untranslated", "empty-message"],
)
def test_only_one_success_and_a_chinese_refusal_keep_the_contract(loser):
    outcomes = [Outcome(value=1), Outcome(value=2) if loser is None else Outcome(error=loser)]
    assert not one_wins(outcomes)
    assert one_wins([Outcome(value=1), Outcome(error=ValidationError("此事项已被他人修改，请刷新后重试。"))])


def test_the_tally_fails_with_the_counts_and_what_was_seen():
    tally = RaceTally("two open clock stops")
    tally.add([Outcome(value=1), Outcome(value=2)], broken=True)
    tally.add([Outcome(value=1), Outcome(error=ValidationError("另一项计时暂停尚未结束。"))], broken=False)
    with pytest.raises(
        AssertionError, match=r"1/2 rounds with two open clock stops; 1/2 rounds not .*1× ok \+ ok"
    ):
        tally.check()


def test_a_call_that_never_returns_fails_the_test():
    release = threading.Event()
    with pytest.raises(AssertionError, match="still running"):
        run_together(lambda: release.wait(5), lambda: None, timeout=0.5, connect_first=False)
    release.set()
