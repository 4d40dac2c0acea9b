"""Writes of enforcement, one module a concern: officer posts and squad areas (squads), patrol logs (patrols),
cases — opening (opening), the door to every step of the procedure (cases), evidence preserved in advance
(evidence) — and the full-process record (record). Each write is one transaction with its
audit row; every case action also appends a RecordEntry (who, when, sha256 of what was done). The rules
of each step, by procedure stage, are in enforcement/cases/.

The statutory rules around the engine (processes case_summary / case_ordinary):
- summary procedure: ≥ 2 officers, the matter allows it, a fine ≤ 200 yuan (citizen) / ≤ 3,000 yuan
  (organisation) or a warning (行政处罚法第五十一条);
- discretion: the proposed fine is checked against the matter's band for the recorded level; outside it
  needs a written justification and then the case must pass legal review;
- ordinary procedure limits: the decision within 90 natural days of filing (paused time not counted,
  +30 with the leader's approval: Case.decision_due_at); the legal review 10 working days; preservation
  of evidence 7 days; the hearing window 5 days and the hearing notice 7 days before the hearing
  (working days: 行政处罚法第八十五条); payment within 15 days of service;
- the hearing chair must not have investigated the case.
"""

from enforcement.actions.access import may_act
from enforcement.actions.cases import do_add_case_officer, do_case_action
from enforcement.actions.evidence import do_handle_preservation, do_preserve_evidence
from enforcement.actions.opening import (
    do_case_from_patrol,
    do_convert_grid_event,
    do_open_case,
)
from enforcement.actions.patrols import do_add_patrol_check, do_end_patrol_log, do_start_patrol_log
from enforcement.actions.record import append_record, do_add_record
from enforcement.actions.squads import do_post_officer, do_set_squad_area

__all__ = [
    "append_record",
    "do_add_case_officer",
    "do_add_patrol_check",
    "do_add_record",
    "do_case_action",
    "do_case_from_patrol",
    "do_convert_grid_event",
    "do_end_patrol_log",
    "do_handle_preservation",
    "do_open_case",
    "do_post_officer",
    "do_preserve_evidence",
    "do_set_squad_area",
    "do_start_patrol_log",
    "may_act",
]
