"""Every write of approval services, one module a concern: the catalogue import (versioned guides),
centre authorisations, the applicant and receipt numbers, intake (window, online, proxy), an application's
steps after filing (acceptance, corrections, review, decision, delivery, withdrawal) and bulk intake —
each one transaction with its audit row, the state moved by the workflow engine, applicants told by SMS.
The names below are the app's public actions, used by other apps."""

from approvals.actions.applicants import ApplicantInput, clean_applicant, notify_applicant
from approvals.actions.authorisations import do_authorise_items, do_revoke_authorisation
from approvals.actions.bulk import IntakeSpec, do_file_applications_bulk
from approvals.actions.catalogue_import import CatalogueImportResult, do_import_catalogue
from approvals.actions.common import PROCESS
from approvals.actions.intake import (
    MaterialsRefused,
    do_file_application,
    do_take_application,
    max_upload_bytes,
    missing_required,
    reviewing_unit,
)
from approvals.actions.lifecycle import (
    do_accept_application,
    do_complete_on_spot,
    do_decide_application,
    do_deliver_application,
    do_pass_review,
    do_refuse_acceptance,
    do_request_corrections,
    do_resume_application,
    do_withdraw_application,
)

__all__ = [
    "PROCESS",
    "ApplicantInput",
    "CatalogueImportResult",
    "IntakeSpec",
    "MaterialsRefused",
    "clean_applicant",
    "do_accept_application",
    "do_authorise_items",
    "do_complete_on_spot",
    "do_decide_application",
    "do_deliver_application",
    "do_file_application",
    "do_file_applications_bulk",
    "do_import_catalogue",
    "do_pass_review",
    "do_refuse_acceptance",
    "do_request_corrections",
    "do_resume_application",
    "do_revoke_authorisation",
    "do_take_application",
    "do_withdraw_application",
    "max_upload_bytes",
    "missing_required",
    "notify_applicant",
    "reviewing_unit",
]
