"""The grid pages (routes in grid/urls.py), one module a page family:

- `mobile` and `patrol`: the grid worker's phone pages (home, report, my reports, on-site verification;
  patrol rounds and check-ins); `registry_changes`: proposing a household and the village's review;
- `dispatch`: the dispatcher's queues (review, dispatch, unrouted, supervise, extensions, verification,
  hotline intake); `events`: the staff page of one event and the action endpoint its forms post to;
  `publication`: the moderator's release of a description;
- `agency_tasks`: agency staff's list of the events dispatched to their unit;
- `public`: residents' report, tracking and rating, no login;
- `lists`: the grid's three lists; `forms` and `common`: the forms and helpers the pages share.
"""
