from __future__ import annotations

from django.urls import path

from practica.core import views_operations

app_name = "core"

urlpatterns = [
    path("admin/audit/", views_operations.audit_log, name="audit-log"),
    path("me/data.json", views_operations.personal_data_download, name="personal-data"),
]
