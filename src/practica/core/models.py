"""Models that belong to no single app: the audit log."""

from __future__ import annotations

from django.db import models


class AuditLog(models.Model):
    """One administrative or privacy-relevant action: who did what to what, and when.

    Written only by :func:`practica.core.audit.audit_record`; never changed afterwards. The actor and
    the target are kept as text too, so an entry still reads right after they are deleted.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True, help_text="Empty for the command line.")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'command line'}: {self.action}"
