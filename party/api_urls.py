"""API routes of the party app (under /api/v1/party/)."""

from django.urls import URLPattern, URLResolver, path

from party import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("organisations/", api.OrganisationsView.as_view(), name="party-organisations"),
    path("organisations/<int:org_id>/secretary/", api.SecretaryView.as_view(), name="party-secretary"),
    path("pairings/", api.PairingsView.as_view(), name="party-pairings"),
    path("members/", api.MembersView.as_view(), name="party-members"),
    path("members/<int:member_id>/links/", api.MemberLinksView.as_view(), name="party-member-links"),
    path("members/<int:member_id>/visit-plans/", api.VisitPlanView.as_view(), name="party-visit-plan"),
    path("my/visits/", api.OwnVisitsView.as_view(), name="party-own-visits"),
    path("meetings/", api.MeetingsView.as_view(), name="party-meetings"),
    path("meetings/completeness/", api.CompletenessView.as_view(), name="party-meetings-completeness"),
    path("meetings/<int:meeting_id>/attendance/", api.AttendanceView.as_view(), name="party-attendance"),
    path("meetings/<int:meeting_id>/record/", api.MeetingRecordView.as_view(), name="party-meeting-record"),
    path("one-shoulder/", api.OneShoulderView.as_view(), name="party-one-shoulder"),
    path("figures/", api.FiguresView.as_view(), name="party-figures"),
    path("projects/", api.ProjectsView.as_view(), name="party-projects"),
    path("milestones/<int:milestone_id>/done/", api.MilestoneDoneView.as_view(), name="party-milestone-done"),
    path("vanguard-posts/", api.VanguardPostsView.as_view(), name="party-vanguard-posts"),
    path("needs/", api.NeedsView.as_view(), name="party-needs"),
    path("needs/<int:need_id>/", api.NeedView.as_view(), name="party-need"),
    path("needs/<int:need_id>/actions/", api.NeedActionView.as_view(), name="party-need-action"),
    path("map.geojson", api.MapLayerView.as_view(), name="party-map-layer"),
]
