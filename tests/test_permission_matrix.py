"""Every role asks every URL of ours and gets what tests/matrix.py says; a URL without its row there fails."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.matrix import MATRIX, ROLES, USERS, answer, build_world, our_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo, media):
    return build_world()


def test_every_url_has_its_row():
    assert our_urls() - {name for name, *_ in MATRIX} == set(), "a view without its row in the permission matrix"
    assert {name for name, *_ in MATRIX} - our_urls() == set(), "a row for a URL that no longer exists"


def test_every_role_gets_what_the_matrix_says(world):
    clients = {"anonymous": Client()}
    for role, username in USERS.items():
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(username=username))
    wrong = []
    for name, obj, method, expected in MATRIX:
        url = reverse(name, kwargs=world[obj])
        got = [answer(clients[role], method, url) for role in ROLES]
        if got != expected.split():
            wrong.append(f"{method.upper()} {url} ({name}, {obj}):\n  expected {expected}\n  got      {' '.join(got)}")
    assert not wrong, "\n".join(wrong)
