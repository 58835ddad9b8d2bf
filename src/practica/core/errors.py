"""The one domain exception: pages show it as a message, the API as a 400 with the same text."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused an action; the message is meant for the person who tried it.

    ``field`` names the form field or CSV column the message is about, when there is one, so pages
    can show the message next to that field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message
