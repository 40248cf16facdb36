"""The exporter of feedback pages, for a worker that renders one page after another.

nbgrader's ``generate_feedback`` builds a new HTML exporter for every page, and with it a new Jinja
environment whose templates are compiled again: most of the time one page takes. ``FeedbackExporter``
is nbconvert's HTML exporter (nbgrader configures its template as usual) keeping one environment per
template setting for the life of the process, so the templates are compiled once per worker.
"""

from __future__ import annotations

from typing import ClassVar

from nbconvert.exporters import HTMLExporter


class FeedbackExporter(HTMLExporter):
    _environments: ClassVar[dict[tuple, object]] = {}

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_name, self.template_file, self.template_extension,
               self.enable_async)
        if key not in FeedbackExporter._environments:
            FeedbackExporter._environments[key] = super()._create_environment()
        return FeedbackExporter._environments[key]
