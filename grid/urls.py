"""Pages of grid (under /grid/): the three lists; the grid worker's phone pages (m/); the dispatcher's
queues (dispatch/); agency tasks (tasks/); the staff event page (events/); public report and tracking."""

from django.urls import URLPattern, URLResolver, path

from grid.web import agency_tasks as views_tasks
from grid.web import dispatch as views_dispatch
from grid.web import events as views_events
from grid.web import lists as views
from grid.web import mobile as views_mobile
from grid.web import patrol as views_patrol
from grid.web import public as views_public
from grid.web import publication as views_publication
from grid.web import registry_changes as views_registry
from grid.web import registry_records as views_records

app_name = "grid"
urlpatterns: list[URLPattern | URLResolver] = [
    path("grids/<str:code>/lists/", views.grid_lists, name="lists"),
    # Grid worker (phone)
    path("m/", views_mobile.home, name="m_home"),
    path("m/report/", views_mobile.report, name="m_report"),
    path("m/households/new/", views_registry.propose_household, name="m_household_new"),
    path("m/records/", views_records.records, name="m_records"),
    path("m/records/<slug:page>/<int:record_id>/", views_records.propose_change, name="m_record_change"),
    path("registry-changes/", views_registry.change_list, name="registry_changes"),
    path(
        "registry-changes/<int:change_id>/review/",
        views_registry.review_change,
        name="registry_change_review",
    ),
    path(
        "registry-changes/records/<int:change_id>/review/",
        views_registry.review_record_change,
        name="registry_record_change_review",
    ),
    path("m/events/", views_mobile.my_events, name="m_events"),
    path("m/events/<int:event_id>/", views_mobile.event_page, name="m_event"),
    path("m/events/<int:event_id>/verify/", views_mobile.verify, name="m_verify"),
    path("m/patrol/start/", views_patrol.patrol_start, name="m_patrol_start"),
    path("m/patrol/<int:patrol_id>/", views_patrol.patrol_page, name="m_patrol"),
    path("m/patrol/<int:patrol_id>/end/", views_patrol.patrol_end, name="m_patrol_end"),
    path(
        "m/patrol/<int:patrol_id>/items/<int:item_id>/check-in/",
        views_patrol.patrol_check_in,
        name="m_check_in",
    ),
    # Dispatcher (wide)
    path("dispatch/", views_dispatch.queue_page, {"queue": "review"}, name="dispatch_review"),
    path("dispatch/dispatch/", views_dispatch.queue_page, {"queue": "dispatch"}, name="dispatch_dispatch"),
    path("dispatch/unrouted/", views_dispatch.queue_page, {"queue": "unrouted"}, name="dispatch_unrouted"),
    path("dispatch/late/", views_dispatch.queue_page, {"queue": "late"}, name="dispatch_late"),
    path(
        "dispatch/extensions/", views_dispatch.queue_page, {"queue": "extensions"}, name="dispatch_extensions"
    ),
    path("dispatch/verify/", views_dispatch.queue_page, {"queue": "verify"}, name="dispatch_verify"),
    path("dispatch/all/", views_dispatch.queue_page, {"queue": "all"}, name="dispatch_all"),
    path("dispatch/hotline/", views_dispatch.hotline, name="dispatch_hotline"),
    # Agencies
    path("tasks/", views_tasks.tasks, name="tasks"),
    # One event, for staff (dispatcher and agencies), and its actions
    path("events/<int:event_id>/", views_events.event_page, name="event"),
    path("events/<int:event_id>/act/", views_events.act, name="event_act"),
    path(
        "events/<int:event_id>/release-description/",
        views_publication.release_description,
        name="event_release_description",
    ),
    path("photos/<int:attachment_id>/", views_events.photo, name="photo"),
    # Public (no login)
    path("report/", views_public.report, name="public_report"),
    path("report/<str:receipt>/done/", views_public.receipt, name="public_receipt"),
    path("track/", views_public.track, name="public_track"),
    path("track/<str:receipt>/", views_public.status, name="public_status"),
    path("track/<str:receipt>/rate/", views_public.rate, name="public_rate"),
    path("track/<str:receipt>/photos/<int:attachment_id>/", views_public.photo, name="public_photo"),
    path(
        "track/<str:receipt>/report-photos/<int:attachment_id>/",
        views_public.report_photo,
        name="public_report_photo",
    ),
]
