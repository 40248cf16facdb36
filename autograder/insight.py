"""Class insight: ``python -m autograder report ASSIGNMENT`` turns an assignment's result records
into one page for the instructor and one grade file for the LMS.

The records are read as ``merge`` reads them (validated; several shard folders may be given). The
page, ``report-<assignment>.html``, is self-contained and inert: inline CSS and SVG drawn here, no
script, no URL, a Content-Security-Policy that forbids fetching anything, and every piece of text
from a record (student ids, flags, reasons, failure messages) escaped. It shows the summary, the
score histogram, each part's pass rate (full marks on the part) and mean, the failure messages of
each part with how many students saw each, failed and flagged submissions with their reasons,
grading times and late penalties. Pass rates and means are over graded records; failed records
(no test ran) are listed with their cause instead.

``lms-<assignment>.csv`` is one file that both gradebook imports accept: the columns Canvas's
gradebook import expects (Student, ID, SIS User ID, SIS Login ID, Section) and one column named
after the assignment, holding the score after any late penalty. The grader knows each student by
the id nbgrader used (the JupyterHub user name, or the LMS download's file-name prefix), so that id
fills Student and SIS Login ID, where Canvas matches a login; in Moodle's CSV import choose
"SIS Login ID" to map to "username" and the assignment column to the grade item (Moodle ignores
unmapped columns). A record that failed through the grader's fault has an empty grade (Moodle and
Canvas leave it ungraded): grade it again rather than upload a zero. There is no "Points Possible"
row: Moodle rejects a row that names no user. Cells are escaped like the other CSVs (report.csv_cell).
"""

from __future__ import annotations

import csv
import html
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from . import merge, report, results

LMS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
NOT_RECORDED = "(no message in the record: graded before messages were kept)"
NO_ERROR = "(the test cell showed no error)"
TOP_MESSAGES = 5  # per part shown at once; the rest fold away under <details>
SLOWEST = 10
BINS = 10


def load(assignment: str, folders: list[Path]) -> list[dict]:
    """The assignment's validated records over ``folders``, by student; ValueError when there are none."""
    records = [record for record, _ in merge.collect(assignment, folders).values()]
    if not records:
        raise ValueError(f"no result records for {assignment} in {', '.join(map(str, folders))}; "
                         f"grade first: python -m autograder grade {assignment}")
    return sorted(records, key=lambda r: r["student"])


def final_score(record: dict) -> float:
    """The total after the late penalty."""
    return results.total(record)[0] - record["late_penalty"]


def part_stats(records: list[dict]) -> dict[str, dict]:
    """Per part, over graded records: how many, how many with full marks, the mean score, the points."""
    graded = [r for r in records if r["status"] == "graded"]
    stats = {}
    for part in sorted({p for r in records for p in r["parts"]}):
        scored = [r["parts"][part] for r in graded if part in r["parts"]]
        stats[part] = {"n": len(scored), "passed": sum(p["score"] >= p["max_score"] for p in scored),
                       "mean": statistics.fmean(p["score"] for p in scored) if scored else 0.0,
                       "max_score": max(r["parts"][part]["max_score"] for r in records if part in r["parts"])}
    return stats


def failure_messages(records: list[dict]) -> dict[str, list[tuple[str, int]]]:
    """Per part, each message its failing graded submissions showed and how many students saw it,
    most frequent first."""
    counts: dict[str, Counter] = {}
    for record in records:
        if record["status"] != "graded":
            continue
        for part, value in record["parts"].items():
            if value["score"] < value["max_score"]:
                message = value.get("message")
                counts.setdefault(part, Counter())[NOT_RECORDED if message is None else message or NO_ERROR] += 1
    return {part: sorted(c.items(), key=lambda item: (-item[1], item[0])) for part, c in sorted(counts.items())}


def histogram(values: list[float], top: float, bins: int = BINS) -> list[tuple[float, float, int]]:
    """``bins`` equal bins from 0 to ``top`` (the last one closed): (low, high, count) each."""
    width = top / bins if top > 0 else 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value / width)))] += 1
    return [(i * width, (i + 1) * width, c) for i, c in enumerate(counts)]


# -- the page --------------------------------------------------------------------------------------

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em; padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: .25em .7em; border-bottom: 1px solid #e3e3e3;
  text-align: left; vertical-align: top; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.msg { font-family: ui-monospace, monospace; font-size: .9em; overflow-wrap: anywhere; }
.bar { background: #3b6ea5; height: .8em; display: inline-block; }
svg text { font: 11px system-ui, sans-serif; fill: #333; } svg rect { fill: #3b6ea5; }
.muted { color: #666; }
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def num(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), attrs: str = "") -> str:
    """An HTML table; ``header`` and ``rows`` are already escaped HTML."""
    def cell(tag, i, content):
        kind = ' class="n"' if i in numeric else ""
        return f"<{tag}{kind}>{content}</{tag}>"
    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def bar_chart(bins: list[tuple[float, float, int]], label: str) -> str:
    """An inline SVG histogram (drawn here, no script): one bar per bin, its count above it."""
    width, height, left, bottom, top = 640, 200, 30, 34, 18
    slot = (width - left) / len(bins)
    tallest = max((c for _, _, c in bins), default=0) or 1
    parts = [f'<svg role="img" aria-label="{esc(label)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}">']
    for i, (low, high, count) in enumerate(bins):
        h = (height - bottom - top) * count / tallest
        x, y = left + i * slot, height - bottom - h
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{slot - 4:.1f}" height="{h:.1f}">'
                     f'<title>{esc(f"{num(low)} to {num(high)}: {count}")}</title></rect>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">'
                     f'{esc(num(low))}-{esc(num(high))}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#999"/>')
    parts.append(f'<text x="{(width + left) / 2:.0f}" y="{height - 4}" text-anchor="middle">{esc(label)}</text></svg>')
    return "\n".join(parts)


def summary_section(assignment: str, records: list[dict]) -> str:
    graded = [r for r in records if r["status"] == "graded"]
    failed = [r for r in records if r["status"] == "failed"]
    scores = [final_score(r) for r in records]
    max_score = max(results.total(r)[1] for r in records)
    causes = Counter(r["cause"] for r in failed)
    rows = [["submissions", str(len(records))], ["graded", str(len(graded))],
            ["failed (no test ran)", str(len(failed)) + "".join(f", {esc(c)}: {n}" for c, n in sorted(causes.items()))],
            ["flagged for review", str(sum(bool(r["flags"]) for r in records))],
            ["late (penalised)", str(sum(r["late_penalty"] > 0 for r in records))],
            ["mean score", f"{num(statistics.fmean(scores))} of {num(max_score)}"],
            ["median score", f"{num(statistics.median(scores))} of {num(max_score)}"]]
    return ("<h2>Summary</h2>\n" + table(["", ""], rows, {1}) +
            "<p class=\"muted\">Scores are after late penalties; a failed record counts as 0 here.</p>\n" +
            "<h2>Scores</h2>\n" + bar_chart(histogram(scores, max_score), f"score (of {num(max_score)})"))


def failed_section(records: list[dict]) -> str:
    failed = [r for r in records if r["status"] == "failed"]
    if not failed:
        return "<h2>Failed records</h2>\n<p>None.</p>"
    rows = [[esc(r["student"]), esc(r["cause"]), f'<span class="msg">{esc(r["reason"])}</span>'] for r in failed]
    return ("<h2>Failed records</h2>\n<p>No test ran for these; \"grader\" ones are graded again on the next run, "
            "\"student\" ones stand until the files change.</p>\n" + table(["student", "cause", "reason"], rows))


def parts_section(records: list[dict]) -> str:
    rows = []
    for part, s in part_stats(records).items():
        rate = s["passed"] / s["n"] if s["n"] else 0.0
        rows.append([esc(part), num(s["max_score"]), f"{s['passed']} of {s['n']}",
                     f'{rate:.0%} <span class="bar" style="width: {rate * 8:.2f}em"></span>', num(s["mean"])])
    return ("<h2>Parts</h2>\n<p>Pass rate: full marks on the part, over graded submissions.</p>\n" +
            table(["part", "points", "full marks", "pass rate", "mean score"], rows, {1, 2, 4}, ' id="parts"'))


def messages_section(records: list[dict]) -> str:
    out = ["<h2>Failure messages</h2>\n<p>What each failing test cell showed the student (as in the feedback), "
           "and how many students saw it.</p>"]
    for part, messages in failure_messages(records).items():
        def rows(items):
            return [[str(n), f'<span class="msg">{esc(m)}</span>'] for m, n in items]
        students = sum(n for _, n in messages)
        out.append(f'<section id="messages-{esc(part)}"><h3>{esc(part)}: {students} failing, '
                   f'{len(messages)} distinct message{"s" * (len(messages) != 1)}</h3>')
        out.append(table(["students", "message"], rows(messages[:TOP_MESSAGES]), {0}))
        if len(messages) > TOP_MESSAGES:
            out.append(f"<details><summary>{len(messages) - TOP_MESSAGES} more</summary>"
                       + table(["students", "message"], rows(messages[TOP_MESSAGES:]), {0}) + "</details>")
        out.append("</section>")
    if len(out) == 1:
        out.append("<p>No part failed.</p>")
    return "\n".join(out)


def flagged_section(records: list[dict]) -> str:
    flagged = [r for r in records if r["flags"]]
    if not flagged:
        return "<h2>Flagged submissions</h2>\n<p>None.</p>"
    rows = [[esc(r["student"]), "<ul>" + "".join(f'<li class="msg">{esc(f)}</li>' for f in r["flags"]) + "</ul>"]
            for r in flagged]
    return ("<h2>Flagged submissions</h2>\n<p>Marked \"needs manual grading\" in the formgrader.</p>\n"
            + table(["student", "reasons"], rows))


def timing_section(records: list[dict]) -> str:
    durations = [r["duration_s"] for r in records]
    rows = [[esc(r["student"]), num(r["duration_s"]), num(r["judge_cpu_s"]), esc(r["device"]), esc(r["status"])]
            for r in sorted(records, key=lambda r: -r["duration_s"])[:SLOWEST]]
    return (f"<h2>Grading time</h2>\n<p>Per submission (wall seconds): mean {num(statistics.fmean(durations))}, "
            f"median {num(statistics.median(durations))}, longest {num(max(durations))}; "
            f"judge CPU in all {num(sum(r['judge_cpu_s'] for r in records))} s.</p>\n"
            + bar_chart(histogram(durations, max(durations)), "seconds per submission")
            + f"\n<h3>Slowest {len(rows)}</h3>\n"
            + table(["student", "seconds", "judge CPU s", "device", "status"], rows, {1, 2}))


def late_section(records: list[dict]) -> str:
    late = [r for r in records if r["late_penalty"] > 0]
    if not late:
        return "<h2>Late penalties</h2>\n<p>None.</p>"
    rows = [[esc(r["student"]), esc(r["timestamp"]), num(r["late_penalty"]), num(final_score(r))] for r in late]
    return "<h2>Late penalties</h2>\n" + table(["student", "handed in", "penalty", "score after"], rows, {2, 3})


def page(assignment: str, records: list[dict]) -> str:
    """The whole report page."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = [summary_section(assignment, records), parts_section(records), messages_section(records),
                failed_section(records), flagged_section(records), timing_section(records), late_section(records)]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(report.CSP)}\">\n"
            f"<title>{esc(assignment)}: class report</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{esc(assignment)}: class report</h1>\n<p class=\"muted\">{len(records)} records, written {when}.</p>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")


# -- the LMS file ----------------------------------------------------------------------------------

def lms_rows(assignment: str, records: list[dict]) -> list[list[str]]:
    """Header and one row per student, unescaped (``write`` escapes them)."""
    rows = [[*LMS_COLUMNS, assignment]]
    for r in records:
        grade = "" if r["status"] == "failed" and r["cause"] == "grader" else f"{final_score(r):g}"
        rows.append([r["student"], "", "", r["student"], "", grade])
    return rows


def write(assignment: str, folders: list[Path], out: Path) -> tuple[Path, Path]:
    """Write ``report-<assignment>.html`` and ``lms-<assignment>.csv`` into ``out``; return their paths."""
    records = load(assignment, folders)
    out.mkdir(parents=True, exist_ok=True)
    html_path, csv_path = out / f"report-{assignment}.html", out / f"lms-{assignment}.csv"
    html_path.write_text(page(assignment, records), encoding="utf-8")
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([map(report.csv_cell, row) for row in lms_rows(assignment, records)])
    return html_path, csv_path
