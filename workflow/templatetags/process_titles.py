"""`{{ action|action_label:process }}`, `{{ definition|process_label }}`: titles in the session's language
(workflow.english)."""

from __future__ import annotations

from django import template

from workflow import english
from workflow.process_definition import ActionDef, ProcessDefinition

register = template.Library()


@register.filter
def action_label(action: ActionDef, process: str) -> str:
    return english.action_title(process, action.name, action.title)


@register.filter
def process_label(definition: ProcessDefinition) -> str:
    return english.process_title(definition.name, definition.title)
