from __future__ import annotations

from django.apps import AppConfig


class CalibrationConfig(AppConfig):
    name = "practica.calibration"
    label = "calibration"
    verbose_name = "Calibration"
