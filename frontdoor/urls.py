from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from frontdoor.core import views
from frontdoor.core.sign_in import ThrottledSignInForm
from frontdoor.search import views as search_views

admin.site.site_header = "Frontdoor curation"
admin.site.site_title = "Frontdoor"
admin.site.login_form = ThrottledSignInForm

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", search_views.SearchView.as_view(), name="search"),
    path("for/<slug:slug>/", views.pathway, name="pathway"),
    path("", include("frontdoor.directory.urls")),
    path("", include("frontdoor.events.urls")),
    path("", include("frontdoor.search.urls")),
    path("", include("frontdoor.insights.urls")),
    path("", include("frontdoor.opendata.urls")),
    path("admin/", admin.site.urls),
    # Uploaded logos; a production proxy can serve MEDIA_ROOT itself instead.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
