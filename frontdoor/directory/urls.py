from django.urls import path

from frontdoor.directory import views

app_name = "directory"

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path(
        "organisations/<slug:slug>/", views.OrganisationDetail.as_view(), name="organisation-detail"
    ),
    path("places/", views.PlaceList.as_view(), name="place-list"),
    path("places/<slug:slug>/", views.PlaceDetail.as_view(), name="place-detail"),
    path("programmes/", views.ProgrammeList.as_view(), name="programme-list"),
    path("programmes/<slug:slug>/", views.ProgrammeDetail.as_view(), name="programme-detail"),
    path("people/", views.PersonList.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetail.as_view(), name="person-detail"),
    path("trials/", views.TrialList.as_view(), name="trial-list"),
    path("trials/<slug:slug>/", views.TrialDetail.as_view(), name="trial-detail"),
]
