"""The exporter of feedback pages, for a worker that renders one page after another.

nbgrader's ``generate_feedback`` builds a new HTML exporter for every page, and with it a new Jinja
environment whose templates are compiled again. ``FeedbackExporter`` is nbconvert's HTML exporter
(nbgrader configures its template as usual) that keeps one environment per template setting for the
life of the process, so the templates are compiled once per worker, and that leaves out the exporter's
last pass, a BeautifulSoup parse of the whole page to add tabindex attributes and alt texts: the
worker rebuilds every feedback page with ``report.sanitise_html``, which drops tabindex and gives
an image without an alt text one. Each saves about a third of a page's time.
"""

from __future__ import annotations

from typing import ClassVar

from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter


class FeedbackExporter(HTMLExporter):
    _environments: ClassVar[dict[tuple, object]] = {}

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_name, self.template_file, self.template_extension,
               self.enable_async)
        if key not in FeedbackExporter._environments:
            FeedbackExporter._environments[key] = super()._create_environment()
        return FeedbackExporter._environments[key]

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)
