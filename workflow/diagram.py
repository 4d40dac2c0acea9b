"""State diagrams of a definition: Graphviz dot and Mermaid `stateDiagram-v2`."""

from __future__ import annotations

from workflow.process_definition import ProcessDefinition


def _limit_label(definition: ProcessDefinition, state: str) -> str:
    limit = definition.states[state].limit
    units = {"work_hours": "工作小时", "work_days": "工作日", "natural_days": "自然日"}
    return f" ({limit.amount} {units[limit.unit]})" if limit else ""


def to_dot(definition: ProcessDefinition) -> str:
    lines = [f'digraph "{definition.name}" {{', f'  label="{definition.title}";', "  rankdir=LR;"]
    lines.append('  "__start__" [shape=point];')
    for state in definition.states.values():
        shape = {"terminal": "doublecircle", "paused": "octagon"}.get(state.kind, "box")
        label = f"{state.title}{_limit_label(definition, state.name)}"
        lines.append(f'  "{state.name}" [shape={shape}, label="{label}"];')
    lines.append(f'  "__start__" -> "{definition.start_state}";')
    for action in definition.actions.values():
        for source in action.sources:
            roles = ",".join(action.roles)
            lines.append(f'  "{source}" -> "{action.target}" [label="{action.title}\\n[{roles}]"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(definition: ProcessDefinition) -> str:
    lines = ["stateDiagram-v2", f"  %% {definition.title} ({definition.name})"]
    for state in definition.states.values():
        lines.append(f"  {state.name} : {state.title}{_limit_label(definition, state.name)}")
    lines.append(f"  [*] --> {definition.start_state}")
    for action in definition.actions.values():
        for source in action.sources:
            lines.append(f"  {source} --> {action.target} : {action.title}")
    for state in definition.states.values():
        if state.terminal:
            lines.append(f"  {state.name} --> [*]")
    return "\n".join(lines) + "\n"
