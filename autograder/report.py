"""Reports are data: feedback pages that show a submission's content inertly, and CSV cells that no
spreadsheet evaluates.

``sanitise_html`` rebuilds a whole page from an allow-list, so what it returns holds only the tags,
attributes and URLs listed here, with all text escaped: no script (the feedback page needs none),
no event handler, no style from the page's body, no link that is not http(s), mailto, relative or
in-page, and no image that is not an inline raster. Maths in the text (``$...$``, ``$$...$$``,
``\\(...\\)``, ``\\[...\\]``, as Jupyter writes it) becomes MathML, which browsers draw without a
script or a network (MathJax from a CDN would need both), and goes through the same allow-list. Its head
keeps the template's title and CSS after a Content-Security-Policy that forbids scripts, so a
browser enforces the same even if something got through. nbconvert's ``SanitizeHTML`` is no
substitute: it cleans markdown source before it is rendered, so ``[x](javascript:...)`` survives.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

CSP = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")
TAGS = {"a", "abbr", "article", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "ol",
        "p", "pre", "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var"}
MATH_TAGS = {"math", "menclose", "merror", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom", "mroot",
             "mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr",
             "munder", "munderover"}
TAGS |= MATH_TAGS
VOID = {"br", "col", "hr", "img"}
ATTRIBUTES = {"align", "alt", "class", "colspan", "dir", "id", "lang", "name", "open", "rowspan",
              "scope", "span", "start", "title"}
MATH_ATTRIBUTES = {"accent", "accentunder", "columnalign", "columnlines", "columnspacing", "depth", "display",
                   "displaystyle", "fence", "form", "height", "largeop", "linethickness", "lspace", "mathvariant",
                   "maxsize", "minsize", "movablelimits", "notation", "rowalign", "rowlines", "rowspacing", "rspace",
                   "scriptlevel", "separator", "stretchy", "symmetric", "width"}
MATHS = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$([^$]+?)\$|\\\((.+?)\\\)", re.S)
VERBATIM = {"code", "kbd", "pre", "samp", "math"}  # text inside these is not maths to convert
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)
SAFE_SCHEME = re.compile(r"(https?|mailto):", re.I)
RASTER = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]*", re.I)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sanitise_html(page: str) -> str:
    """The page rebuilt from the allow-list, with the Content-Security-Policy first in its head."""
    parser = _Sanitiser()
    parser.feed(page)
    parser.close()
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n{''.join(parser.head)}\n"
            f"</head>\n<body>\n{''.join(parser.body).strip()}\n</body>\n</html>\n")


def csv_cell(value) -> str:
    """A CSV field that a spreadsheet shows as text: a leading apostrophe where it could be a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _with_maths(text: str) -> str:
    """``text`` escaped, with each piece of LaTeX maths in it as MathML (through the allow-list too);
    LaTeX that does not convert stays as its source."""
    from latex2mathml.converter import convert

    pieces, end = [], 0
    for match in MATHS.finditer(text):
        block, latex = match[1] is not None or match[2] is not None, next(g for g in match.groups() if g is not None)
        # what the converter does not know: escaped underscores in text, extra space after a line break
        latex = re.sub(r"\\text\{[^{}]*\}", lambda text: text[0].replace("\\_", "_"), latex)
        latex = re.sub(r"\\\\\[[^\]]*\]", r"\\\\", latex)
        try:
            mathml = convert(latex.strip(), display="block" if block else "inline")
        except Exception:  # the converter's errors are many and undocumented: keep the source
            continue
        parser = _Sanitiser()
        parser.in_head, parser.verbatim = False, 1  # a fragment, whose text is not converted again
        parser.feed(mathml)
        parser.close()
        pieces += [html.escape(text[end:match.start()], quote=False), "".join(parser.body)]
        end = match.end()
    return "".join(pieces) + html.escape(text[end:], quote=False)


def _url(tag: str, name: str, value: str) -> str | None:
    """The value of a link or image attribute, or None where it could run or fetch something."""
    bare = re.sub(r"[\x00-\x20\x7f]+", "", value)  # browsers ignore these inside a scheme
    if tag == "a" and name == "href" and (SAFE_SCHEME.match(bare) or not SCHEME.match(bare)):
        return value
    if tag == "img" and name == "src" and RASTER.fullmatch(bare):
        return bare
    return None


class _Sanitiser(HTMLParser):
    """Collects the allowed head (title, CSS) and body of a page, escaped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head: list[str] = []
        self.body: list[str] = []
        self.in_head: bool | None = None  # None before <head>, then True, then False for good
        self.raw: str | None = None  # script or style: html.parser reads their content as text
        self.keep_raw = False
        self.in_title = False
        self.verbatim = 0  # depth inside code, pre and the like

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw, self.keep_raw = tag, tag == "style" and self.in_head is True
            if self.keep_raw:
                self.head.append("<style>")
        elif tag == "head":
            self.in_head = True if self.in_head is None else self.in_head
        elif tag == "title" and self.in_head:
            self.in_title = True
            self.head.append("<title>")
        elif tag in ("html", "meta", "link", "base"):
            pass
        else:
            self.in_head = False
            if tag in TAGS:
                self.body.append(f"<{tag}{self._attributes(tag, attrs)}>")
                self.verbatim += tag in VERBATIM

    def handle_endtag(self, tag):
        if tag == self.raw:
            if self.keep_raw:
                self.head.append("</style>")
            self.raw, self.keep_raw = None, False
        elif tag == "title" and self.in_title:
            self.in_title = False
            self.head.append("</title>")
        elif tag == "head" and self.in_head:
            self.in_head = False
        elif tag in TAGS and tag not in VOID and not self.in_head:
            self.body.append(f"</{tag}>")
            self.verbatim = max(0, self.verbatim - (tag in VERBATIM))

    def handle_data(self, data):
        if self.raw:
            if self.keep_raw:
                self.head.append(re.sub(r"(?i)</style", r"<\\/style", data))
        elif self.in_title:
            self.head.append(html.escape(data, quote=False))
        elif data.strip() or self.in_head is False:
            self.in_head = False
            self.body.append(html.escape(data, quote=False) if self.verbatim else _with_maths(data))

    @staticmethod
    def _attributes(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        kept = []
        for name, value in attrs:
            if name in MATH_ATTRIBUTES and tag in MATH_TAGS:
                kept.append(f' {name}="{html.escape(value or "")}"')
            elif name in ("href", "src"):
                value = _url(tag, name, value or "")
                if value is not None:
                    kept.append(f' {name}="{html.escape(value)}"')
            elif name in ATTRIBUTES:
                kept.append(f' {name}' if value is None else f' {name}="{html.escape(value)}"')
        if tag == "img" and all(name != "alt" for name, _ in attrs):
            kept.append(' alt="An image the notebook showed (it has no description)"')
        return "".join(kept)
