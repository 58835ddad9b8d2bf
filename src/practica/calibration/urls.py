from __future__ import annotations

from django.urls import path

from practica.calibration import views

app_name = "calibration"

urlpatterns = [path("me/calibration/", views.my_calibration, name="mine")]
