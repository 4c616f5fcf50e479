import pytest

from practices.enums import Status
from practices.models import Practice
from practices.workflow import TRANSITIONS, IllegalTransition, StaleState, transition
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_transition_changes_status_and_writes_the_event():
    practice, official = PracticeFactory(), UserFactory()
    transition(practice=practice, to=Status.SUBMITTED, by=official, note="请审核")
    practice.refresh_from_db()
    event = practice.events.get()
    assert (practice.status, practice.version) == (Status.SUBMITTED, 2)
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        Status.DRAFT,
        Status.SUBMITTED,
        official,
        "请审核",
    )


@pytest.mark.parametrize("seen", list(Status))
def test_only_the_table_allows_a_change(seen):
    practice = PracticeFactory(status=seen)
    for to in set(Status) - TRANSITIONS[seen]:
        with pytest.raises(IllegalTransition):
            transition(practice=practice, to=to, by=None)
    assert Practice.objects.get(pk=practice.pk).status == seen
    assert not practice.events.exists()


def test_an_unknown_status_is_refused():
    practice = PracticeFactory()
    with pytest.raises(IllegalTransition, match="archived"):
        transition(practice=practice, to="archived", by=None)


def test_stale_status_is_refused_and_nothing_is_written():
    practice = PracticeFactory()
    first, second = Practice.objects.get(pk=practice.pk), Practice.objects.get(pk=practice.pk)
    transition(practice=first, to=Status.SUBMITTED, by=None)
    with pytest.raises(StaleState, match="刷新"):
        transition(practice=second, to=Status.WITHDRAWN, by=None)
    assert Practice.objects.get(pk=practice.pk).status == Status.SUBMITTED
    assert practice.events.count() == 1


def test_resubmission_starts_the_next_round():
    practice = PracticeFactory(status=Status.REVISION_REQUESTED)
    transition(practice=practice, to=Status.SUBMITTED, by=None)
    assert practice.round == 2
    assert practice.events.get().round == 2
