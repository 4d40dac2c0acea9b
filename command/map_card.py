"""The item card on the command map (/command/map/items/<id>/card/): an open grid event's state and a
form for every action the engine offers this user on it now, built by the grid's own action forms (the
dispatch picker preselects the routed unit, as on /grid/dispatch/). The forms post to the grid's event
action API (static/command/map.js), so the step's rules stay in its bound handler: nothing is decided
here beyond who may open a card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from command.selectors import require_command_role
from core.errors import DomainError
from grid.events.selectors import get_event_for, latest_routing
from grid.web.common import event_rows
from grid.web.events import action_form, dispatch_units
from grid.web.forms import ACTION_FIELDS
from workflow.access import available_actions
from workflow.process_definition import main_action


@login_required
@require_GET
def item_card(request: HttpRequest, event_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        # Visibility first: an event outside the jurisdiction is simply not found, whatever the role.
        event = get_event_for(user, event_id)
        require_command_role(user)
    except DomainError as error:
        return render(request, "command/map_card_error.html", {"error": error}, status=error.status)
    item = event.work_item
    actions = [a for a in available_actions(item, user) if a.name in ACTION_FIELDS] if item else []
    dispatching = any(a.name == "dispatch" for a in actions)
    routing = latest_routing(event) if dispatching else None
    units = dispatch_units(user) if dispatching else []
    forms = [(action, action_form(action.name, event, routing, units=units)) for action in actions]
    return render(
        request,
        "command/map_card.html",
        {
            "event": event,
            "item": item,
            "row": event_rows([event], now=timezone.now())[0],
            "routing": routing,
            "action_forms": forms,
            "main_action": main_action(actions),
            "submit_url": reverse("grid-event-actions", args=[event.pk]),
            "card_url": reverse("command:map_card", args=[event.pk]),
        },
    )
