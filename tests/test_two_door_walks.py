"""Every rule, every door (issue 12): each published process definition (a `processes/*.yaml` of any
installed app) has a two-door walk named in tests/two_doors.py `WALKS`, whose routes take every action
of the definition; and the check finds a definition without a walk, a walk that misses an action, and a
walk of nothing."""

from __future__ import annotations

from dataclasses import replace

from tests.two_doors import WALKS, Walk, walk_problems
from workflow.handlers import definitions_on_disk
from workflow.process_definition import ActionDef


def test_every_published_definition_has_its_walk() -> None:
    definitions = definitions_on_disk()
    assert set(definitions) >= {
        "registry_change",
        "dataset_grant",
        "people_export",
        "asset_change",
        "fund_payment",
    }
    assert walk_problems(definitions) == []


def test_a_definition_without_a_walk_is_found() -> None:
    definitions = definitions_on_disk()
    owner, grid = definitions["grid_event"]
    added = {**definitions, "street_lamp": (owner, replace(grid, name="street_lamp"))}
    assert walk_problems(added) == [
        "street_lamp: no two-door walk (write one and name it in tests/two_doors.py WALKS)"
    ]


def test_an_action_the_walk_never_takes_is_found() -> None:
    definitions = definitions_on_disk()
    owner, payment = definitions["fund_payment"]
    extra = replace(next(iter(payment.actions.values())), name="write_off")
    assert isinstance(extra, ActionDef)
    changed = {
        **definitions,
        "fund_payment": (owner, replace(payment, actions={**payment.actions, "write_off": extra})),
    }
    assert walk_problems(changed) == [
        "fund_payment: the routes of territorial.tests.test_fund_payment_two_doors never take write_off"
    ]


def test_a_walk_that_walks_nothing_is_found() -> None:
    walks = {
        **WALKS,
        "no_such_process": Walk("grid.tests.test_two_doors"),
        # Not routes at all; routes that no test walks (only the routes built from them are walked).
        "grid_event": Walk("grid.tests.test_two_doors", ("ROUTES", "DUPLICATE", "PHOTO", "GONE")),
        "case_ordinary": Walk("enforcement.tests.test_two_doors", ("ORDINARY_ROUTES", "FILING")),
        # A module that walks another process (with actions of the same names).
        "registry_change": Walk("datashare.tests.test_people_export_two_doors"),
        "sample_complaint": Walk("workflow.tests.test_gone"),
        "asset_change": Walk("territorial.assets"),
        "fund_payment": Walk("territorial.tests.test_fund_payment_two_doors", ("SUMS",)),
    }
    assert walk_problems(definitions_on_disk(), walks) == [
        "asset_change: territorial.assets is not a test module (test_*.py)",
        "case_ordinary: no test of enforcement.tests.test_two_doors walks FILING",
        "fund_payment: SUMS of territorial.tests.test_fund_payment_two_doors is not a route or a mapping of"
        " routes",
        "fund_payment: the routes of territorial.tests.test_fund_payment_two_doors never take"
        " committee_approve, committee_settle, leader_approve, reject, town_approve, town_refer",
        "grid_event: PHOTO of grid.tests.test_two_doors is not a route or a mapping of routes",
        "grid_event: grid.tests.test_two_doors has no routes GONE",
        "no_such_process: walked by grid.tests.test_two_doors, but no definition names process"
        " no_such_process",
        "registry_change: datashare.tests.test_people_export_two_doors does not name process registry_change",
        "sample_complaint: no test module workflow.tests.test_gone",
    ]
