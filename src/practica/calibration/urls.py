from __future__ import annotations

from django.urls import path

from practica.calibration import urls_checks, urls_skills, views, views_forecasts

app_name = "calibration"

FORECASTS = "communities/<slug:slug>/forecasts/"
QUESTION = FORECASTS + "<int:pk>/"

urlpatterns = [
    path("me/calibration/", views.my_calibration, name="mine"),
    path(FORECASTS, views_forecasts.forecast_list, name="forecast-list"),
    path(FORECASTS + "ask/", views_forecasts.forecast_ask, name="forecast-ask"),
    path(QUESTION, views_forecasts.forecast_detail, name="forecast-detail"),
    path(QUESTION + "forecast/", views_forecasts.forecast_make, name="forecast-make"),
    path(QUESTION + "resolve/", views_forecasts.forecast_resolve, name="forecast-resolve"),
    path(QUESTION + "listing/", views_forecasts.forecast_listing, name="forecast-listing"),
]
urlpatterns += urls_checks.urlpatterns + urls_skills.urlpatterns
