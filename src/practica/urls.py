from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from practica.core import views as core_views
from practica.core.api import api
from practica.people.views import SignInView

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error

urlpatterns = [
    path("", core_views.home, name="home"),
    path("signin/", SignInView.as_view(), name="login"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("", include("practica.core.urls")),
    path("", include("practica.people.urls")),
    path("", include("practica.communities.urls")),
    path("", include("practica.knowledge.urls_practices")),
    path("", include("practica.knowledge.urls_stories")),
    path("", include("practica.systems.urls")),
    path("", include("practica.knowledge.urls_qa")),
    path("", include("practica.calibration.urls")),
    path("", include("practica.learning.urls")),
    path("", include("practica.insights.urls")),
    path("", include("practica.search.urls")),
]
