"""The preset page's form: one field per setting of the preset, the swept values, and the seed.

The form only reads what was typed as numbers; ranges and the model's rules are checked by the
service, so the page and the API give the same messages.
"""

from __future__ import annotations

from typing import Any

from django import forms

from practica.systems.presets import Preset
from practica.systems.services import SEED_MAX


class RunForm(forms.Form):
    def __init__(self, preset: Preset, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preset = preset
        if preset.sweep is not None:
            setting = preset.sweep.setting
            self.fields["values"] = forms.CharField(
                label=f"Values of {setting.name} to compare",
                help_text=(
                    f"{setting.help} Separate values with commas; each from {setting.describe_range()}."
                ),
                initial=", ".join(f"{value:g}" for value in preset.sweep.defaults),
                max_length=200,
                error_messages={"required": f"Give at least one value of {setting.name}."},
            )
        for setting in preset.setting_list():
            field_class = forms.IntegerField if setting.kind == "int" else forms.FloatField
            step = "1" if setting.kind == "int" else "any"
            self.fields[setting.name] = field_class(
                label=setting.label,
                help_text=f"{setting.help} From {setting.describe_range()}.",
                initial=preset.defaults[setting.name],
                widget=forms.NumberInput(
                    attrs={"min": f"{setting.minimum:g}", "max": f"{setting.maximum:g}", "step": step}
                ),
                error_messages={
                    "required": f"Give a value from {setting.describe_range()}.",
                    "invalid": f"Type a number from {setting.describe_range()}.",
                },
            )
        self.fields["seed"] = forms.IntegerField(
            label="Seed",
            required=False,
            help_text="The number that fixes the luck: the same seed and settings always give the same "
            "results. Leave it empty for a new random seed.",
            widget=forms.NumberInput(attrs={"min": "0", "max": str(SEED_MAX), "step": "1"}),
            error_messages={"invalid": f"Type a whole number from 0 to {SEED_MAX}, or leave it empty."},
        )

    def parameters(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "seed"}
