"""Downloads of a diagram in each export format, shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.utils.text import slugify

from practica.systems import exports
from practica.systems.diagrams import diagram_data
from practica.systems.exports import DiagramData
from practica.systems.models import Diagram

# format -> (content type, file extension, writer)
EXPORT_FORMATS: dict[str, tuple[str, str, Callable[[DiagramData], str | bytes]]] = {
    "json": ("application/json", "json", exports.to_json),
    "dot": ("text/vnd.graphviz; charset=utf-8", "dot", exports.to_dot),
    "mermaid": ("text/plain; charset=utf-8", "mmd", exports.to_mermaid),
    "svg": ("image/svg+xml", "svg", exports.to_svg),
    "png": ("image/png", "png", exports.to_png),
}


def export_response(diagram: Diagram, export_format: str) -> HttpResponse:
    """The diagram as a file download in ``export_format`` (404 for an unknown format)."""
    if export_format not in EXPORT_FORMATS:
        raise Http404("No such export format.")
    content_type, extension, writer = EXPORT_FORMATS[export_format]
    response = HttpResponse(writer(diagram_data(diagram)), content_type=content_type)
    name = slugify(diagram.title) or f"diagram-{diagram.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response
