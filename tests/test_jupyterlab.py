"""The course opens in a real JupyterLab and its widgets work in a browser.

A headless ``jupyter lab`` is started on the repository root (as in the
README), its REST API is checked, and Debian's Chromium, driven by
Playwright, runs the module-01 lesson and plays with the matrix widget.

Screenshots go to build/test-artifacts/ (or $DLCOURSE_ARTIFACTS).
Set DLCOURSE_SKIP_BROWSER=1 to skip the browser test explicitly.
"""

import base64
import io
import json
import os
import re
import shutil
import urllib.request
from pathlib import Path

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, sync_playwright_or_fail
from lab_server import LabServer

REPO_ROOT = Path(__file__).resolve().parents[1]
LESSON = "course/01-linear-algebra.ipynb"
EXERCISE = "exercises/01-linear-algebra/01-linear-algebra.ipynb"
WIDGETS_EXTENSION = "@jupyter-widgets/jupyterlab-manager"

# Timeouts for Playwright, in milliseconds.
PAGE_TIMEOUT = 60_000
KERNEL_IDLE_TIMEOUT = 60_000
RUN_ALL_TIMEOUT = 120_000
PLOT_UPDATE_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def artifacts():
    path = Path(os.environ.get("DLCOURSE_ARTIFACTS", REPO_ROOT / "build" / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory, artifacts):
    """A running JupyterLab server rooted at the repository."""
    server = LabServer(REPO_ROOT, tmp_path_factory.mktemp("jupyterlab"))
    try:
        with server:
            yield server
    finally:
        if server.log_path.exists():
            shutil.copy(server.log_path, artifacts / "jupyter-lab.log")


# -- the server ---------------------------------------------------------------


def page_config(lab):
    """The jupyter-config-data JSON that the /lab page hands the browser."""
    with urllib.request.urlopen(f"{lab.url}/lab?token={lab.token}", timeout=10) as response:
        html = response.read().decode()
    match = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no jupyter-config-data in the /lab page"
    return json.loads(match.group(1))


def test_lab_serves_course(lab):
    names = [item["name"] for item in lab.api("/api/contents/course")["content"]]
    assert "01-linear-algebra.ipynb" in names

    for path in (LESSON, EXERCISE):
        model = lab.api(f"/api/contents/{path}")
        assert model["type"] == "notebook", path
        assert model["content"]["cells"], f"{path} has no cells"

    config = page_config(lab)
    extensions = [extension["name"] for extension in config["federated_extensions"]]
    assert WIDGETS_EXTENSION in extensions, "the ipywidgets lab extension is not installed"
    assert WIDGETS_EXTENSION not in config.get("disabledExtensions", [])


# -- the browser --------------------------------------------------------------


# JavaScript run in the page.  The notebook is the visible .jp-NotebookPanel.
NOTEBOOK_JS = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')"
# A cell of the visible notebook (notebooks opened by earlier tests stay open, hidden, in the workspace).
VISIBLE_CELL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"

EXECUTION_STATE_JS = f"""() => {{
    const notebook = {NOTEBOOK_JS};
    const state = {{running: 0, executed: 0, notRun: 0}};
    for (const cell of notebook.querySelectorAll('.jp-CodeCell')) {{
        const prompt = cell.querySelector('.jp-InputArea-prompt').textContent;
        const source = cell.querySelector('.cm-content').textContent.trim();
        if (prompt.includes('*')) state.running += 1;
        else if (/\\d/.test(prompt)) state.executed += 1;
        else if (source) state.notRun += 1;
    }}
    return state;
}}"""

# The notebook's kernel is connected and idle.  (The toolbar indicator alone
# says "idle" before any kernel is attached, hence the status bar check.)
KERNEL_READY_JS = """() => {
    const indicator = document.querySelector(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
    const texts = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .map(item => item.textContent.trim());
    return indicator?.dataset.status === 'idle'
        && texts.some(text => /^(?!No Kernel).+ \\| Idle$/.test(text));
}"""

# Error outputs (tracebacks) and failed widget views.
ERROR_OUTPUTS_JS = f"""() => {{
    const notebook = {NOTEBOOK_JS};
    const errors = [];
    const stderr = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
    for (const output of notebook.querySelectorAll(stderr)) {{
        const text = output.textContent;
        if (/Traceback|^\\w*(Error|Exception)\\b/m.test(text)) errors.push(text);
    }}
    for (const output of notebook.querySelectorAll('.jp-OutputArea-output')) {{
        const text = output.textContent;
        if (/Error displaying widget|Error rendering view|Error creating widget/.test(text))
            errors.push(text);
    }}
    return errors;
}}"""

PLOT_CHANGED_JS = """([selector, oldSrc]) => {
    const img = document.querySelector(selector);
    return img !== null && img.complete && img.naturalWidth > 0 && img.src !== oldSrc;
}"""


def wait_for_kernel_idle(page):
    page.wait_for_function(KERNEL_READY_JS, timeout=KERNEL_IDLE_TIMEOUT)


def open_notebook(page, url):
    """Open a notebook and wait for its kernel. JupyterLab sometimes asks which kernel to start for a
    notebook opened beside others (its own kernel preselected): a student would press Select."""
    page.goto(url)
    page.locator(VISIBLE_CELL).first.wait_for()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    select = page.locator(".jp-Dialog button", has_text="Select")
    try:
        select.wait_for(timeout=3000)
        select.click()
    except PlaywrightTimeout:
        pass
    wait_for_kernel_idle(page)


def execution_state_is(page, condition, timeout):
    """Wait until ``condition`` (JS over running/executed/notRun) holds."""
    page.wait_for_function(
        f"() => {{ const {{running, executed, notRun}} = ({EXECUTION_STATE_JS})(); "
        f"return {condition}; }}",
        timeout=timeout,
    )


def click_menu(page, menu, command):
    """Open a menu of the menu bar and click the item bound to ``command``."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


def run_all_cells(page):
    """Clear outputs, Run > Run All Cells, and wait until the run is over."""
    # Clearing first resets the prompts, so "some cell ran" means this run started.
    click_menu(page, "Edit", "editmenu:clear-all")
    execution_state_is(page, "running === 0 && executed === 0", PAGE_TIMEOUT)
    click_menu(page, "Run", "runmenu:run-all")
    execution_state_is(page, "running > 0 || executed > 0", PAGE_TIMEOUT)
    execution_state_is(page, "running === 0", RUN_ALL_TIMEOUT)
    wait_for_kernel_idle(page)
    return page.evaluate(EXECUTION_STATE_JS)


def png_from_data_url(src):
    from PIL import Image

    assert src.startswith("data:image/png;base64,"), f"the plot is not an inline PNG: {src[:80]}"
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")


def fraction_of_pixels_that_differ(image_a, image_b):
    """0.0 (identical) to 1.0; images of different sizes count as all different."""
    from PIL import ImageChops

    if image_a.size != image_b.size:
        return 1.0
    difference = ImageChops.difference(image_a.convert("RGB"), image_b.convert("RGB"))
    changed = difference.convert("L").point(lambda value: 255 if value else 0)
    return changed.histogram()[255] / (image_a.width * image_a.height)


@pytest.mark.browser
def test_matrix_widget_in_browser(lab, artifacts):
    from PIL import Image

    sync_playwright = sync_playwright_or_fail()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    console = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(PAGE_TIMEOUT)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            open_notebook(page, lab.lab_url(LESSON))
            state = run_all_cells(page)
            # JupyterLab scrolls inside a fixed-size page: a tall viewport shows more.
            page.set_viewport_size({"width": 1400, "height": 4000})
            page.screenshot(path=artifacts / "lesson-after-run-all.png", full_page=True)
            page.set_viewport_size({"width": 1400, "height": 1000})
            errors = page.evaluate(ERROR_OUTPUTS_JS)
            if errors:
                pytest.fail("cell outputs show errors:\n" + "\n---\n".join(errors))
            assert state["notRun"] == 0, f"Run All left cells unexecuted: {state}"

            widget = page.locator(".dlcourse-matrix-explorer").first
            try:
                widget.wait_for(timeout=PLOT_UPDATE_TIMEOUT)
            except PlaywrightTimeout:
                pytest.fail(
                    "the matrix widget (.dlcourse-matrix-explorer) did not render: is the "
                    f"{WIDGETS_EXTENSION} lab extension loaded? See failure.png and "
                    "browser-console.log"
                )
            widget.scroll_into_view_if_needed()
            for name in ("m11", "m12", "m21", "m22"):
                widget.locator(f".dlcourse-{name} input").wait_for()
            plot = widget.locator("img").first
            plot.wait_for()
            before_src = plot.get_attribute("src")
            widget.screenshot(path=artifacts / "matrix-before.png")

            entry = widget.locator(".dlcourse-m12 input")
            entry.fill("-1.5" if entry.input_value() != "-1.5" else "2")
            entry.press("Enter")
            page.wait_for_function(
                PLOT_CHANGED_JS,
                arg=[".dlcourse-matrix-explorer img", before_src],
                timeout=PLOT_UPDATE_TIMEOUT,
            )
            after_src = plot.get_attribute("src")
            widget.scroll_into_view_if_needed()
            widget.screenshot(path=artifacts / "matrix-after.png")

            assert after_src != before_src
            plot_change = fraction_of_pixels_that_differ(
                png_from_data_url(before_src), png_from_data_url(after_src)
            )
            assert plot_change > 0.005, f"the plot barely changed ({plot_change:.2%} of pixels)"
            screenshot_change = fraction_of_pixels_that_differ(
                Image.open(artifacts / "matrix-before.png"),
                Image.open(artifacts / "matrix-after.png"),
            )
            assert screenshot_change > 0.001, (
                f"the widget looks the same after the edit ({screenshot_change:.2%} of pixels)"
            )
        except BaseException:
            try:
                page.screenshot(path=artifacts / "failure.png", full_page=True)
            except Exception as error:  # do not hide the original failure
                print(f"could not save failure.png: {error}")
            raise
        finally:
            (artifacts / "browser-console.log").write_text("\n".join(console) + "\n")
            browser.close()


# One row per lesson after 01: (lesson, the explorer's CSS class, edits). Each edit names a control
# (its CSS class is dlcourse-<control>) and two values; the value the control does not show yet is
# typed into its number box, or picked in its drop-down, and the plot must change after every edit.
EXPLORERS = {
    "02-neuron": ("course/02-the-neuron.ipynb", "neuron-explorer", [("w2", ("-2", "2")), ("activation", ("relu", "tanh"))]),
    "03-hidden-layer": ("course/03-xor-and-hidden-layers.ipynb", "hidden-layer-explorer",
                        [("units", ("3", "2")), ("activation", ("relu", "sigmoid"))]),
    "04-gradient-flow": ("course/04-backpropagation.ipynb", "gradient-flow-explorer",
                         [("depth", ("8", "3")), ("activation", ("relu", "tanh"))]),
    "05-optimiser-race": ("course/05-optimisation.ipynb", "optimiser-race-explorer",
                          [("lr", ("0.01", "0.002")), ("surface", ("rosenbrock", "quadratic"))]),
    "06-regularisation": ("course/06-generalisation.ipynb", "regularisation-explorer",
                          [("strength", ("0.1", "0.001")), ("penalty", ("l1", "l2"))]),
    "07-confusion": ("course/07-numpy-to-keras.ipynb", "confusion-explorer",
                     [("true", ("Coat", "Bag")), ("predicted", ("Sneaker", "Pullover"))]),
    "08-kernel": ("course/08-convolutional-networks.ipynb", "kernel-explorer",
                  [("kernel", ("0 1 0; 1 -4 1; 0 1 0", "1 0 -1; 2 0 -2; 1 0 -1")), ("preset", ("blur", "sharpen"))]),
    "09-gradient-time": ("course/09-sequences.ipynb", "gradient-time-explorer",
                         [("scale", ("3", "0.5")), ("forget_bias", ("3", "-2"))]),
    "10-transfer": ("course/10-transfer-learning.ipynb", "transfer-explorer",
                    [("examples", ("100", "10")), ("strategy", ("from scratch", "feature extraction"))]),
    "11-latent-space": ("course/11-autoencoders.ipynb", "latent-space-explorer",
                        [("start", ("Bag", "Trouser")), ("end", ("Coat", "Sneaker"))]),
    "12-gan-1d": ("course/12-gans.ipynb", "gan-1d-explorer", [("ratio", ("0.01", "1")), ("steps", ("300", "1000"))]),
    "13-attention": ("course/13-attention.ipynb", "attention-explorer",
                     [("text", ("the cat sat on the mat", "a dog ran after the cat")), ("mask", ("causal", "none"))]),
}


def edit_control(widget, control, values):
    """Set ``control`` to whichever of ``values`` it does not show: type into a box, or pick from a list."""
    select = widget.locator(f".dlcourse-{control} select")
    if select.count():
        select.select_option(values[0] if select.input_value() != values[0] else values[1])
        return
    box = widget.locator(f".dlcourse-{control} input")
    box.fill(values[0] if box.input_value() != values[0] else values[1])
    box.press("Enter")


@pytest.mark.browser
@pytest.mark.parametrize("name", list(EXPLORERS))
def test_lesson_runs_and_explorer_redraws_in_browser(lab, artifacts, name):
    """The lesson runs in JupyterLab without errors; each edit of the explorer's controls redraws its plot."""
    lesson, explorer, edits = EXPLORERS[name]
    sync_playwright = sync_playwright_or_fail()
    console = []
    selector = f".dlcourse-{explorer} img"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(PAGE_TIMEOUT)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        try:
            open_notebook(page, lab.lab_url(lesson))
            state = run_all_cells(page)
            errors = page.evaluate(ERROR_OUTPUTS_JS)
            if errors:
                pytest.fail("cell outputs show errors:\n" + "\n---\n".join(errors))
            assert state["notRun"] == 0, f"Run All left cells unexecuted: {state}"

            widget = page.locator(f".dlcourse-{explorer}").first
            widget.wait_for(timeout=PLOT_UPDATE_TIMEOUT)
            widget.scroll_into_view_if_needed()
            plot = widget.locator("img").first
            plot.wait_for()
            sources = [plot.get_attribute("src")]
            widget.screenshot(path=artifacts / f"{name}-before.png")

            for control, values in edits:
                edit_control(widget, control, values)
                page.wait_for_function(PLOT_CHANGED_JS, arg=[selector, sources[-1]], timeout=PLOT_UPDATE_TIMEOUT)
                sources.append(plot.get_attribute("src"))
            widget.scroll_into_view_if_needed()
            widget.screenshot(path=artifacts / f"{name}-after.png")

            images = [png_from_data_url(src) for src in sources]
            for (control, _), before, after in zip(edits, images, images[1:]):
                change = fraction_of_pixels_that_differ(before, after)
                assert change > 0.01, f"the plot barely changed after editing {control} ({change:.2%} of pixels)"
        except BaseException:
            try:
                page.screenshot(path=artifacts / f"failure-{name}.png", full_page=True)
            except Exception as error:  # do not hide the original failure
                print(f"could not save failure-{name}.png: {error}")
            raise
        finally:
            (artifacts / f"browser-console-{name}.log").write_text("\n".join(console) + "\n")
            browser.close()
