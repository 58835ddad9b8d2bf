"""Who may see or change what: the one module views, the API and the CLI ask.

Every other app adds its rules here as small functions over a Person, so a rule is written once.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from practica.people.models import Person, Role


def person_for_user(user: Any) -> Person:
    """The signed-in person; accounts made with ``practica manage createsuperuser`` get one on first use.

    Raises PermissionDenied for anonymous or deactivated accounts.
    """
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to continue.")
    try:
        return user.person
    except Person.DoesNotExist:
        email = (user.email or f"{user.get_username()}@localhost").lower()
        role = Role.ADMIN if user.is_superuser else Role.MEMBER
        return Person.objects.create(user=user, email=email, display_name=user.get_username(), role=role)


def can_change_roles(actor: Person) -> bool:
    return actor.is_admin


def can_import_people(actor: Person) -> bool:
    """Importing rewrites the org chart: admins only."""
    return actor.is_admin


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    if not allowed:
        raise PermissionDenied(message)
