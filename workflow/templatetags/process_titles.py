"""`{{ action|action_label:process }}`: an action's title in the session's language (workflow.english)."""

from __future__ import annotations

from django import template

from workflow import english
from workflow.definitions import ActionDef

register = template.Library()


@register.filter
def action_label(action: ActionDef, process: str) -> str:
    return english.action_title(process, action.name, action.title)
