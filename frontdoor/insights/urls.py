from django.urls import path

from frontdoor.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.InsightsHome.as_view(), name="home"),
    path("insights/method/", views.MethodView.as_view(), name="method"),
    path("insights/<slug:slug>/", views.AreaInsights.as_view(), name="area"),
    path("insights/<slug:slug>/add-missing/", views.AddMissing.as_view(), name="add-missing"),
    path("insights/<slug:slug>/<slug:table>.csv", views.TableCSV.as_view(), name="table-csv"),
]
