"""The private calibration page: a person sees their own record, and nobody else's exists in a URL."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from practica.analysis.calibration import CERTAINTY_2_THRESHOLD, CERTAINTY_3_THRESHOLD
from practica.calibration import selectors
from practica.core.pagination import paginate
from practica.core.permissions import person_for_user


@login_required
def my_calibration(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {
        "profile": selectors.calibration_profile(person.pk),
        "page": paginate(request, selectors.records_of(person.pk)),
        "mid_threshold": round(CERTAINTY_2_THRESHOLD * 100),
        "high_threshold": round(CERTAINTY_3_THRESHOLD * 100),
    }
    return render(request, "calibration/my_calibration.html", context)
