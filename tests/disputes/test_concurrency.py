"""Two concurrent moves of one dispute: the row lock in ``dispute_transition`` lets exactly one apply.

The rows are committed (another connection must see them), so this module asks for ``committed_db``
rather than the ``db`` transaction, and cleans up after itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from disputes import services
from disputes.choices import DisputeState as S
from disputes.models import Dispute, DisputeMonth, Transition
from stations.models import Region, Station, User


@pytest.fixture
def own_station_user(committed_db: None) -> Iterator[User]:
    """A writer at a station of its own, committed (the demo may be gone: see tests.live.committed_db);
    everything it made is removed afterwards."""
    region = Region.objects.create(code="659998", name="并发测试县", level="county")
    station = Station.objects.create(code="659998000001", name="并发测试派出所", county=region)
    user = User.objects.create_user("h7-concurrency", role="officer", home_station=station)
    try:
        yield user
    finally:
        Dispute.objects.filter(station=station).delete()
        DisputeMonth.objects.filter(station=station).delete()
        user.delete()
        station.delete()
        region.delete()


def test_two_concurrent_moves_of_one_dispute_cannot_both_apply(own_station_user: User) -> None:
    officer = own_station_user
    dispute = services.dispute_create(
        user=officer,
        station=officer.home_station,
        title="并发",
        kind="debt",
        found_by="call",
        found_on=timezone.localdate(),
    )
    outcomes: list[str] = []
    ready = threading.Barrier(3)

    def move() -> None:
        try:
            stale = Dispute.objects.get(pk=dispute.pk)  # both read it in screening
            ready.wait()
            with translation.override("en"):
                services.dispute_transition(
                    dispute=stale, to=S.ESCALATED_CRIMINAL, note="持械斗殴。", user=officer
                )
            outcomes.append("applied")
        except ValidationError as exc:
            with translation.override("en"):
                outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connection.close()

    workers = [threading.Thread(target=move) for _ in range(2)]
    with transaction.atomic():
        # Hold the row so that both workers are inside their transaction before either can go on.
        Dispute.objects.select_for_update().get(pk=dispute.pk)
        for worker in workers:
            worker.start()
        ready.wait()
        time.sleep(0.5)
    for worker in workers:
        worker.join(timeout=30)

    assert len(outcomes) == 2 and outcomes.count("applied") == 1, outcomes
    assert "already" in next(o for o in outcomes if o != "applied")
    assert Transition.objects.filter(dispute=dispute, to_state=S.ESCALATED_CRIMINAL).count() == 1
    dispute.refresh_from_db()
    assert dispute.state == S.ESCALATED_CRIMINAL
