"""Every write to the registries, one module a concern: addresses, buildings and houses; people and their
sensitive records; households and moves; entities and key places; unmasking; changes proposed from the
field (`changes`, with each kind's rules in `change_kinds`). Each is one transaction,
checks the actor's right, writes an audit row (never a clear personal value in it) and takes the time
passed in; bad input raises DomainError with the field it concerns. The names below are the app's
public actions, used by other apps."""

from registry.actions.change_kinds import KINDS as CHANGE_KINDS
from registry.actions.change_kinds import care_tags
from registry.actions.changes import (
    Proposal,
    do_apply_change,
    do_propose_change,
    do_return_change,
    record_of,
    values_of,
)
from registry.actions.entities import (
    clean_industry_code,
    do_register_entity,
    do_register_key_place,
    do_update_entity,
    do_update_entity_contact,
    do_update_key_place,
)
from registry.actions.households import do_create_household, do_move_into_household, do_move_out_of_household
from registry.actions.people import (
    PersonInput,
    build_person,
    clean_id_number,
    clean_phone,
    do_register_person,
    do_set_care_tags,
    do_set_sensitive_record,
    do_update_person_contact,
    person_columns,
    person_sealer,
)
from registry.actions.places import (
    address_text,
    do_create_address,
    do_register_building,
    do_register_house,
    do_set_house_rental,
)
from registry.actions.unmask import do_unmask

__all__ = [
    "CHANGE_KINDS",
    "PersonInput",
    "Proposal",
    "address_text",
    "build_person",
    "care_tags",
    "clean_id_number",
    "clean_industry_code",
    "clean_phone",
    "do_apply_change",
    "do_create_address",
    "do_create_household",
    "do_move_into_household",
    "do_move_out_of_household",
    "do_propose_change",
    "do_register_building",
    "do_register_entity",
    "do_register_house",
    "do_register_key_place",
    "do_register_person",
    "do_return_change",
    "do_set_care_tags",
    "do_set_house_rental",
    "do_set_sensitive_record",
    "do_unmask",
    "do_update_entity",
    "do_update_entity_contact",
    "do_update_key_place",
    "do_update_person_contact",
    "person_columns",
    "person_sealer",
    "record_of",
    "values_of",
]
