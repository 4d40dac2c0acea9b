"""Every write to the registries, one module a concern: addresses, buildings and houses; people and their
sensitive records; households and moves; entities and key places; unmasking. Each is one transaction,
checks the actor's right, writes an audit row (never a clear personal value in it) and takes the time
passed in; bad input raises DomainError with the field it concerns. The names below are the app's
public actions, used by other apps."""

from registry.actions.entities import (
    clean_industry_code,
    do_register_entity,
    do_register_key_place,
    do_update_entity,
)
from registry.actions.households import do_create_household, do_move_into_household, do_move_out_of_household
from registry.actions.people import (
    PersonInput,
    build_person,
    clean_id_number,
    clean_phone,
    do_register_person,
    do_set_sensitive_record,
    do_update_person_contact,
    person_columns,
    person_sealer,
)
from registry.actions.places import address_text, do_create_address, do_register_building, do_register_house
from registry.actions.unmask import do_unmask

__all__ = [
    "PersonInput",
    "address_text",
    "build_person",
    "clean_id_number",
    "clean_industry_code",
    "clean_phone",
    "do_create_address",
    "do_create_household",
    "do_move_into_household",
    "do_move_out_of_household",
    "do_register_building",
    "do_register_entity",
    "do_register_house",
    "do_register_key_place",
    "do_register_person",
    "do_set_sensitive_record",
    "do_unmask",
    "do_update_entity",
    "do_update_person_contact",
    "person_columns",
    "person_sealer",
]
