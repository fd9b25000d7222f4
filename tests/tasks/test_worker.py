"""Tasks run by a real Celery worker process against the test database."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone
from knox.models import AuthToken

from stations.models import User
from stations.tasks import purge_expired_tokens
from tests.live import CeleryWorker

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def token_owner(committed_db: None) -> Iterator[User]:
    """A committed user of its own (the worker must see it), removed with its tokens afterwards."""
    user = User.objects.create_superuser(username=f"worker-probe-{uuid.uuid4().hex[:8]}", password=None)
    try:
        yield user
    finally:
        AuthToken.objects.filter(user=user).delete()
        user.delete()


def test_purge_expired_tokens_on_the_worker_removes_only_expired_ones(
    celery_worker: CeleryWorker, token_owner: User
) -> None:
    expired, _ = AuthToken.objects.create(user=token_owner, expiry=dt.timedelta(hours=1))
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - dt.timedelta(minutes=5))
    valid, _ = AuthToken.objects.create(user=token_owner, expiry=dt.timedelta(hours=1))
    expired_before = AuthToken.objects.filter(expiry__lt=timezone.now()).count()

    deleted = purge_expired_tokens.delay().get(timeout=60)

    assert deleted == expired_before >= 1
    assert not AuthToken.objects.filter(pk=expired.pk).exists()
    assert AuthToken.objects.filter(pk=valid.pk).exists()

    # Safe to run twice: nothing left to purge, the valid token still there.
    assert purge_expired_tokens.delay().get(timeout=60) == 0
    assert AuthToken.objects.filter(pk=valid.pk).exists()
