"""A week of the course in a real JupyterHub classroom, clicked through in Chromium.

classroom/install.sh prepares the machine and classroom/jupyterhub_config.py starts the hub, on
loopback, with real Linux accounts (PAM): an instructor and three students. Each person works in
their own browser session:

1. the instructor releases exercise 01 from the formgrader;
2. the students fetch it from the Assignments tab; one solves it right (and runs it in the lab),
   one gets a part wrong and leaves a flood of debugging output in, one is late; each submits;
3. the instructor sets the due date between the second and third submissions, collects from the
   formgrader, grades in a JupyterLab terminal with the sandboxed autograder, opens the flagged
   submission from the formgrader's Manual Grading view and gives a manual score, then releases
   feedback;
4. each student fetches their feedback and opens it.

Screenshots of every step go to build/test-artifacts/classroom/ (or $DLCOURSE_ARTIFACTS/classroom),
with the hub's log. Needs root (accounts, PAM, spawning as users), Chromium and
configurable-http-proxy, all of which `bash setup.sh test` installs as root.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, sync_playwright_or_fail
from lab_server import free_port
from tests.grading import answers_01
from tests.grading.plans import fill, reference_answers
from test_jupyterlab import ERROR_OUTPUTS_JS, open_notebook, run_all_cells

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
ASSIGNMENT = "01-linear-algebra"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"  # where nbgrader fetches it, in the student's home
INSTRUCTOR, RIGHT, WRONG, LATE = "dlc-teach", "dlc-ana", "dlc-ben", "dlc-cy"
STUDENTS = (RIGHT, WRONG, LATE)
GROUPS = {"DLCOURSE_INSTRUCTORS": "dlc-test-instructors", "DLCOURSE_STUDENTS": "dlc-test-students"}
WRONG_PART = "softmax"  # the part the second student gets wrong (3 points); the grader flags their output
MANUAL_SCORE = 1.0  # what the instructor gives that part on review
POINTS = 15.0
TIMEOUT_MS = 120_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def run(*argv: str, user: str | None = None, env: dict | None = None, cwd: Path | None = None) -> str:
    """Run a command (as ``user`` when given) and return its output; fail with it on error."""
    command = ["runuser", "-u", user, "--", *argv] if user else list(argv)
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def let_others_reach(path: Path) -> list[tuple[Path, int]]:
    """Give others search permission on the folders above ``path`` that lack it (this machine's
    Python lives under /root); return what to restore."""
    changed = []
    for folder in reversed(path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
            changed.append((folder, stat.S_IMODE(mode)))
    return changed


@pytest.fixture(scope="module")
def artifacts():
    path = Path(os.environ.get("DLCOURSE_ARTIFACTS", REPO_ROOT / "build" / "test-artifacts")) / "classroom"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def hub(artifacts):
    """The classroom hub on a free loopback port, with its four Linux users; everything goes after."""
    if os.geteuid() != 0:
        pytest.fail("the classroom test needs root: it creates Linux users and the hub spawns servers as them")
    if not shutil.which("configurable-http-proxy"):
        pytest.fail("configurable-http-proxy is missing: bash setup.sh system (as root) installs it from npm")
    site = Path(tempfile.mkdtemp(prefix="dlcourse-classroom-"))
    site.chmod(0o755)
    port = free_port()
    env = {**os.environ, **GROUPS, "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
           "DLCOURSE_EXCHANGE": str(site / "exchange"), "DLCOURSE_HUB_STATE": str(site / "hub"),
           "DLCOURSE_HUB_URL": f"http://127.0.0.1:{port}"}
    passwords = {name: secrets.token_urlsafe(12) for name in (INSTRUCTOR, *STUDENTS)}
    restore = let_others_reach((VENV_BIN / "python").resolve())
    process = None
    try:
        for name, password in passwords.items():
            subprocess.run(["userdel", "--remove", name], capture_output=True)
            run("useradd", "--create-home", "--shell", "/bin/bash", name)
            subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        run("bash", "classroom/install.sh", env=env, cwd=REPO_ROOT)
        run("bash", "classroom/install.sh", "instructor", INSTRUCTOR, env=env, cwd=REPO_ROOT)
        run("bash", "classroom/install.sh", "student", *STUDENTS, env=env, cwd=REPO_ROOT)
        # The instructor's course takes late work at zero, as they would set it in their nbgrader_config.py.
        course = Path(f"/home/{INSTRUCTOR}/dlcourse")
        with open(course / "nbgrader_config.py", "a") as config:
            config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
        log = open(artifacts / "jupyterhub.log", "w")
        process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(REPO_ROOT / "classroom" / "jupyterhub_config.py")],
                                   cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = env["DLCOURSE_HUB_URL"]
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/hub/api", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, (artifacts / "jupyterhub.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not answer within 60 s"
            time.sleep(0.5)
        yield {"url": url, "passwords": passwords, "course": course, "site": site, "env": env}
    finally:
        if process:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        for name in passwords:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        for group in GROUPS.values():
            subprocess.run(["groupdel", group], capture_output=True)
        for folder, mode in restore:
            folder.chmod(mode)
        shutil.rmtree(site, ignore_errors=True)


class Person:
    """One person's browser session on the hub."""

    def __init__(self, browser, hub: dict, name: str, artifacts: Path):
        self.name, self.hub, self.artifacts = name, hub, artifacts
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.server = f"{hub['url']}/user/{name}"

    def shot(self, step: str) -> None:
        self.page.screenshot(path=self.artifacts / f"{step}.png", full_page=True)

    def log_in(self) -> None:
        page = self.page
        page.goto(f"{self.hub['url']}/hub/login")
        page.fill("#username_input", self.name)
        page.fill("#password_input", self.hub["passwords"][self.name])
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{self.name}/lab**", timeout=TIMEOUT_MS)
        page.wait_for_selector("#jp-main-dock-panel")

    def api(self, method: str, path: str, body: dict | None = None):
        """Call the user's own Jupyter server from the page, as JupyterLab does (cookie and XSRF token)."""
        return self.page.evaluate(
            """async ([url, method, body]) => {
                const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
                const response = await fetch(url, {method, headers: {"X-XSRFToken": decodeURIComponent(xsrf),
                    "Content-Type": "application/json"}, body: body === null ? undefined : JSON.stringify(body)});
                const text = await response.text();
                return {status: response.status, text};
            }""", [f"{self.server}/{path}", method, body])

    def assignments(self):
        """JupyterLab's Assignments tab (nbgrader's assignment list)."""
        page = self.page
        page.click("text=Nbgrader")
        page.click("text=Assignment List")
        panel = page.locator("#nbgrader-assignment-list")
        panel.wait_for()
        return panel


def test_a_week_in_the_classroom(hub, artifacts):
    sync_playwright = sync_playwright_or_fail()
    started = time.monotonic()
    reference = reference_answers(nbformat.read(REPO_ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        people = {name: Person(browser, hub, name, artifacts) for name in (INSTRUCTOR, *STUDENTS)}
        teacher = people[INSTRUCTOR]
        try:
            # 1. The instructor releases the exercise from the formgrader.
            teacher.log_in()
            manage(teacher, "release", f"Successfully released '{ASSIGNMENT}'", "01-instructor-released")

            # 2. Students fetch, solve and submit; the due date passes before the last one does.
            wrong_part = dict(reference, **{WRONG_PART: answers_01.WRONG[WRONG_PART][next(iter(answers_01.WRONG[WRONG_PART]))]})
            wrong_part["affine"] += '\nfor _ in range(30_000):\n    print("debug: shapes look fine " * 4)'
            work = {RIGHT: reference, WRONG: wrong_part, LATE: reference}
            for n, name in enumerate(STUDENTS, start=2):
                student = people[name]
                student.log_in()
                assert student.api("GET", "formgrader/api/assignments")["status"] == 404, "students get no formgrader"
                panel = student.assignments()
                panel.locator("button:has-text('Fetch')").first.click()
                submit = panel.locator("button:has-text('Submit')").first
                submit.wait_for()
                student.shot(f"{n:02d}-{name}-fetched")
                fetched = student.api("GET", f"api/contents/{NOTEBOOK}?type=notebook&content=1")
                assert fetched["status"] == 200, fetched
                notebook = fill(nbformat.from_dict(json.loads(fetched["text"])["content"]), work[name])
                saved = student.api("PUT", f"api/contents/{NOTEBOOK}",
                                    {"type": "notebook", "format": "json", "content": notebook})
                assert saved["status"] == 200, saved
                if name == RIGHT:  # runs the visible tests in the lab before handing in
                    open_notebook(student.page, f"{student.server}/lab/tree/{NOTEBOOK}")
                    ran = run_all_cells(student.page)
                    assert ran["notRun"] == 0, ran
                    errors = student.page.evaluate(ERROR_OUTPUTS_JS)
                    assert not errors, errors[:3]
                    student.shot(f"{n:02d}-{name}-visible-tests-pass")
                    panel = student.assignments()
                    submit = panel.locator("button:has-text('Submit')").first
                if name == LATE:
                    set_due_date(teacher, datetime.now(timezone.utc))
                    time.sleep(2)
                submit.click()
                panel.locator("text=submitted").first.wait_for()
                student.shot(f"{n:02d}-{name}-submitted")

            # 3. The instructor collects, grades in a terminal, reviews the flagged one, releases feedback.
            manage(teacher, "collect", f"Successfully collected submissions of '{ASSIGNMENT}'", "05-instructor-collected")
            grading = terminal(teacher, f"cd ~/dlcourse && python -m autograder grade {ASSIGNMENT} --workers 2",
                               hub["course"] / "build" / f"grades-{ASSIGNMENT}.csv")
            teacher.shot("06-instructor-graded-in-terminal")
            grades = {row["student"]: row for row in csv.DictReader(io.StringIO(grading))}
            assert set(grades) == set(STUDENTS), grades
            assert float(grades[RIGHT]["score"]) == POINTS and not grades[RIGHT]["flags"], grades[RIGHT]
            assert float(grades[WRONG]["score"]) == POINTS - 3 and "dropped" in grades[WRONG]["flags"], grades[WRONG]
            assert float(grades[LATE]["late_penalty"]) == POINTS and float(grades[LATE]["score"]) == 0, grades[LATE]

            review(teacher)
            manage(teacher, "release-feedback", f"Successfully released feedback of '{ASSIGNMENT}'",
                   "09-instructor-released-feedback")

            # 4. Each student fetches their feedback and opens it.
            for n, name in enumerate(STUDENTS, start=10):
                student = people[name]
                panel = student.assignments()
                panel.locator("button:has-text('Fetch Feedback')").first.click()
                panel.locator("text=(view feedback)").first.click()
                listing = student.api("GET", f"api/contents/{ASSIGNMENT}/feedback")
                stamp = json.loads(listing["text"])["content"][0]["name"]
                student.page.goto(f"{student.server}/files/{ASSIGNMENT}/feedback/{stamp}/{ASSIGNMENT}.html")
                text = student.page.inner_text("body")
                student.shot(f"{n:02d}-{name}-feedback")
                assert "BEGIN HIDDEN TESTS" not in text and "### " not in text
                if name == RIGHT:
                    assert f"{POINTS:g}" in text
                if name == WRONG:
                    assert "softmax" in text.lower()
        except Exception:
            for name, person in people.items():
                person.page.screenshot(path=artifacts / f"failure-{name}.png", full_page=True)
            raise
        finally:
            browser.close()

    # The manual score is in nbgrader's export, and students cannot read the answers.
    run("nbgrader", "export", "--to", "build/grades.csv", user=INSTRUCTOR,
        env={**hub["env"], "HOME": f"/home/{INSTRUCTOR}",
             "JUPYTER_CONFIG_PATH": str(REPO_ROOT / "classroom" / "jupyter" / "everyone")},
        cwd=hub["course"])
    exported = (hub["course"] / "build" / "grades.csv").read_text()
    rows = {row["student_id"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert float(rows[WRONG]["raw_score"]) == POINTS - 3 + MANUAL_SCORE, rows[WRONG]
    assert float(rows[LATE]["late_submission_penalty"]) == POINTS, rows[LATE]
    denied = subprocess.run(["runuser", "-u", RIGHT, "--", "cat", str(REPO_ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
                            capture_output=True, text=True)
    assert denied.returncode != 0 and "Permission denied" in denied.stderr
    print(f"classroom week: {time.monotonic() - started:.0f} s; screenshots in {artifacts}")


def manage(teacher: Person, column: str, success: str, step: str) -> None:
    """Manage Assignments: the exercise's button in ``column``, which must report ``success``."""
    teacher.page.goto(f"{teacher.server}/formgrader/manage_assignments")
    teacher.page.locator(f"tr:has(td.name:has-text('{ASSIGNMENT}')) td.{column} a").click()
    teacher.page.wait_for_selector(f"text={success}")
    teacher.shot(step)
    teacher.page.keyboard.press("Escape")


def set_due_date(teacher: Person, due: datetime) -> None:
    """The formgrader's Edit dialog: the due date (UTC) of the assignment."""
    teacher.page.goto(f"{teacher.server}/formgrader/manage_assignments")
    row = teacher.page.locator(f"tr:has(td.name:has-text('{ASSIGNMENT}'))")
    row.locator("td.edit a").click()
    teacher.page.fill("input.modal-duedate", due.strftime("%Y-%m-%dT%H:%M:%S"))
    teacher.page.fill("input.modal-timezone", "UTC")
    teacher.page.click("button:has-text('Save')")
    row.locator("td.duedate").filter(has_text=due.strftime("%Y-%m-%d")).wait_for()
    teacher.shot("04-instructor-due-date")


def terminal(teacher: Person, command: str, done: Path) -> str:
    """Type ``command`` in a new JupyterLab terminal and wait until it has written ``done``."""
    page = teacher.page
    page.goto(f"{teacher.server}/lab")
    page.wait_for_selector("#jp-main-dock-panel")
    page.click("text=File")
    page.click("li.lm-Menu-item:has-text('New')")
    page.click("li.lm-Menu-item:has-text('Terminal')")
    page.wait_for_selector(".jp-Terminal .xterm-screen")
    page.click(".jp-Terminal .xterm-screen")
    done.unlink(missing_ok=True)
    page.keyboard.type(f"{command}\n")
    deadline = time.monotonic() + 300  # the terminal draws on a canvas: its file tells when it is over
    while not done.exists():
        assert time.monotonic() < deadline, f"{command!r} wrote no {done.name} within 300 s"
        time.sleep(1)
    time.sleep(1)
    return done.read_text()


def review(teacher: Person) -> None:
    """Manual Grading: the notebook's submissions, the flagged one opened, a part scored by hand."""
    page = teacher.page
    page.goto(f"{teacher.server}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}")
    page.wait_for_selector("td.needs-manual-grade")
    flagged = page.locator("tr:has(td.needs-manual-grade span.glyphicon)")
    assert flagged.count() == 1, "exactly the flagged submission needs manual grading"
    teacher.shot("07-instructor-manual-grading-list")
    with page.expect_navigation():
        flagged.locator("td.name a.name-hidden").click()
    box = page.locator(f"input.score#test_{WRONG_PART}")
    box.wait_for()
    with page.expect_response(lambda r: "/api/grade/" in r.url and r.request.method == "PUT" and r.ok):
        box.fill(f"{MANUAL_SCORE:g}")
        page.keyboard.press("Tab")
    teacher.shot("08-instructor-reviewed-flagged")
