"""The learning app's URLs: reviews (urls_reviews) and the rest (urls_mind), one namespace."""

from __future__ import annotations

from practica.learning import urls_mind, urls_reviews

app_name = "learning"

urlpatterns = urls_reviews.urlpatterns + urls_mind.urlpatterns
