"""The moderator's release of a resident's description on the staff event page: dispatcher releases
(audited), a grid worker of the town is refused (403), the outsider gets 404, no consent is refused with
a message, GET is not allowed."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from grid.models import GridEvent
from grid.tests import test_pages_support as pages

pytestmark = pytest.mark.django_db
page_people = pages.page_people  # fixture


def url(event: GridEvent) -> str:
    return f"/grid/events/{event.pk}/release-description/"


def test_dispatcher_releases_a_consented_description(page_people: dict[str, Any]) -> None:
    event = pages.report(page_people, who=None, publish_consent=True)
    client = pages.client_for(page_people["dispatcher"])
    assert "data-release-description" in client.get(f"/grid/events/{event.pk}/").content.decode()

    response = client.post(url(event))

    assert response.status_code == 303 and response["Location"] == f"/grid/events/{event.pk}/"
    stored = GridEvent.objects.get(pk=event.pk)
    assert stored.description_released_at is not None
    assert stored.description_released_by_id == page_people["dispatcher"].pk
    assert (
        AuditEvent.objects.filter(action="grid.event_description_released", subject_id=str(event.pk)).count()
        == 1
    )
    assert "data-release-description" not in client.get(f"/grid/events/{event.pk}/").content.decode()


def test_refusals(page_people: dict[str, Any]) -> None:
    agreed = pages.report(page_people, who=None, publish_consent=True)
    refused = pages.report(page_people, who=None)
    assert pages.client_for(page_people["hq_grid"]).post(url(agreed)).status_code == 403
    assert pages.client_for(page_people["wt_grid"]).post(url(agreed)).status_code == 404
    dispatcher = pages.client_for(page_people["dispatcher"])
    assert dispatcher.get(url(agreed)).status_code == 405
    assert pages.client_for(None).post(url(agreed)).status_code == 302  # to the login page
    no_consent = dispatcher.post(url(refused), follow=True)
    assert "反映人未同意公开，不能公开描述。" in no_consent.content.decode()
    assert not GridEvent.objects.filter(description_released_at__isnull=False).exists()
