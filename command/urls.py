from django.urls import path, re_path

from command import map_card, screen, views
from command.projects import views as project_views
from command.reports import views as report_views
from command.warnings import views as warning_views

app_name = "command"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("items/", views.items_page, name="items"),
    path("map/", views.map_page, name="map"),
    path("map/items/<int:event_id>/card/", map_card.item_card, name="map_card"),
    path("reports/", report_views.reports_page, name="reports"),
    re_path(
        r"^reports/(?P<report_id>\d+)/(?P<fmt>xlsx|pdf)/$", report_views.download, name="report-download"
    ),
    path("reports/subscriptions/", report_views.subscribe, name="report-subscribe"),
    path(
        "reports/subscriptions/<int:subscription_id>/delete/",
        report_views.unsubscribe,
        name="report-unsubscribe",
    ),
    path("warnings/", warning_views.page, name="warnings"),
    path("warnings/panel/", warning_views.panel, name="warnings_panel"),
    path("warnings/<int:warning_id>/act/", warning_views.act, name="warning_act"),
    path("screen/", screen.screen_page, name="screen"),
    path("projects/", project_views.projects_page, name="projects"),
    path("projects/<int:project_id>/", project_views.project_page, name="project"),
]
