"""``{% mind_home_panels %}``: the experiments, vision and goals panels of the learning home page, with
the signed-in person's own data (the home view belongs to the reviews half of the app)."""

from __future__ import annotations

from typing import Any

from django import template

from practica.core.permissions import person_for_user
from practica.learning.mind_selectors import home_panels

register = template.Library()


@register.inclusion_tag("learning/mind/_home_panels_body.html", takes_context=True)
def mind_home_panels(context: Any) -> dict[str, Any]:
    person = person_for_user(context["request"].user)
    return {"panels": home_panels(person)}
