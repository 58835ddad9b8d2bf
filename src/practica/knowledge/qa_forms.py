"""Forms for question pages; they parse input, the services in ``qa.py`` decide."""

from __future__ import annotations

from django import forms

from practica.calibration.models import Certainty
from practica.knowledge.models import MAX_BODY, MAX_TITLE, Outcome, Relevance
from practica.knowledge.qa import MAX_COMMENT

CERTAINTY_CHOICES = [
    (Certainty.LOW.value, "Low: I am less than 2 in 3 sure this works"),
    (Certainty.MID.value, "Mid: I am between 2 in 3 and 4 in 5 sure"),
    (Certainty.HIGH.value, "High: I am more than 4 in 5 sure"),
]
CERTAINTY_HELP = (
    "When the asker says whether it worked, your answer is scored into your private calibration record: "
    "right earns +1, +2 or +3; wrong costs 0, 2 or 6. Saying honestly how sure you are scores best."
)


class QuestionForm(forms.Form):
    title = forms.CharField(
        max_length=MAX_TITLE, help_text=f"One line: what do you want to know? Up to {MAX_TITLE} characters."
    )
    body = forms.CharField(
        required=False,
        max_length=MAX_BODY,
        label="Details",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            f"Markdown: ``` fences code blocks. What you tried, what happened. Up to {MAX_BODY:,} characters."
        ),
    )
    tags = forms.CharField(
        required=False, max_length=500, help_text="Comma-separated, for example: pytest, flaky tests."
    )
    allow_several_accepted = forms.BooleanField(
        required=False,
        label="I may accept several answers",
        help_text="For questions with more than one right answer, e.g. a list of good tools.",
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_BODY,
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Markdown: ``` fences code blocks. Up to {MAX_BODY:,} characters.",
    )
    certainty = forms.TypedChoiceField(
        choices=CERTAINTY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label="How sure are you?",
        help_text=CERTAINTY_HELP,
        error_messages={"required": "Say how sure you are: low, mid or high."},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=MAX_COMMENT,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"Plain text, up to {MAX_COMMENT:,} characters.",
    )


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[("1", "up"), ("-1", "down"), ("0", "withdraw")], coerce=int)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "clear"), *Outcome.choices], required=False)


class RelevanceForm(forms.Form):
    relevance = forms.ChoiceField(choices=Relevance.choices)
