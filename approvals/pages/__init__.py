"""Pages of approval services (under /approvals/), one module per audience: the catalogue with each
item's service guide (办事指南) and the catalogue's import/export (catalogue); online application with
phone verification and the follow-up by receipt number, for residents (online); one-window intake, proxy
filing, the work list, the application page with its history and actions, the printable receipt
(受理回执) and the authorisation report, for staff (desk). What they share is in common. Views are
parse → access → action → render."""
