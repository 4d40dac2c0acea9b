from django.urls import path, re_path

from command import api, map_api, map_layers, map_work, screen
from command.projects import api as project_api
from command.reports import api as report_api
from command.warnings import api as warnings_api

urlpatterns = [
    path("indicators/", api.IndicatorsView.as_view(), name="command-indicators"),
    path("figures/", api.FiguresView.as_view(), name="command-figures"),
    path("figures/items/", api.FigureItemsView.as_view(), name="command-figure-items"),
    path("reports/", report_api.ReportListView.as_view(), name="command-reports"),
    path("reports/<int:report_id>/", report_api.ReportDetailView.as_view(), name="command-report"),
    re_path(
        r"^reports/(?P<report_id>\d+)/download/(?P<fmt>xlsx|pdf)/$",
        report_api.ReportDownloadView.as_view(),
        name="command-report-download",
    ),
    path("map/items.geojson", map_api.MapItemsView.as_view(), name="command-map-items"),
    path("map/cases.geojson", map_work.MapCasesView.as_view(), name="command-map-cases"),
    path("map/applications.geojson", map_work.MapApplicationsView.as_view(), name="command-map-applications"),
    path("map/places.geojson", map_work.MapPlacesView.as_view(), name="command-map-places"),
    path("warnings/", warnings_api.WarningListView.as_view(), name="command-warnings"),
    path("warnings/<int:warning_id>/", warnings_api.WarningDetailView.as_view(), name="command-warning"),
    path(
        "warnings/<int:warning_id>/transitions/",
        warnings_api.WarningActView.as_view(),
        name="command-warning-act",
    ),
    path("map/grids.geojson", map_layers.MapGridsView.as_view(), name="command-map-grids"),
    path("map/heat.geojson", map_layers.MapHeatView.as_view(), name="command-map-heat"),
    path("screen/figures/", screen.ScreenFiguresView.as_view(), name="command-screen-figures"),
    path("screen/feed/", screen.ScreenFeedView.as_view(), name="command-screen-feed"),
    path("projects/", project_api.ProjectListView.as_view(), name="command-projects"),
    path("projects/<int:project_id>/", project_api.ProjectDetailView.as_view(), name="command-project"),
    path(
        "projects/<int:project_id>/milestones/",
        project_api.ProjectMilestonesView.as_view(),
        name="command-project-milestones",
    ),
]
