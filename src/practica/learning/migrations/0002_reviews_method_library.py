"""Load the built-in method templates (the method library shipped as data)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load_builtins(apps: Any, schema_editor: Any) -> None:
    from practica.learning.method_library import method_templates_sync

    method_templates_sync(apps.get_model("learning", "MethodTemplate"))


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(load_builtins, migrations.RunPython.noop)]
