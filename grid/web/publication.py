"""The moderator's release of a resident's description for the public lists (审核公开), a button on the
staff event page. Parse → access → action → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from grid.events.publication import do_release_description
from grid.events.selectors import get_event_for
from grid.web.common import current_user, forbidden, not_found


@login_required
@require_POST
def release_description(request: HttpRequest, event_id: int) -> HttpResponse:
    user = current_user(request)
    try:
        event = get_event_for(user, event_id)
    except DomainError:
        return not_found(request)
    try:
        do_release_description(event, actor=user, now=timezone.now())
    except DomainError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        if error.status == 404:
            return not_found(request)
        messages.error(request, error.message)
    else:
        messages.success(request, _("已审核公开该事件的问题描述（公开时自动隐去个人信息）。"))
    return HttpResponseRedirect(reverse("grid:event", args=[event.pk]), status=303)
