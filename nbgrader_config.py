"""nbgrader configuration: the course directory is the folder holding this file.

solutions/ is the SOURCE (the only place an exercise is written), exercises/ is the RELEASE
(generated, committed), and everything nbgrader creates while grading lives in build/ (git-ignored).
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

course_root = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "dlcourse"
c.CourseDirectory.root = course_root
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "build/submitted"
c.CourseDirectory.autograded_directory = "build/autograded"
c.CourseDirectory.feedback_directory = "build/feedback"
c.CourseDirectory.solution_directory = "build/solution"
os.makedirs(os.path.join(course_root, "build"), exist_ok=True)
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(course_root, "build", "gradebook.db")

# Student code is executed with a per-cell timeout sized for TensorFlow: importing it and building a
# small model takes 10-30 s on 2 CPU cores; a graded part that trains is bounded to seconds.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# Lessons and exercises read the same switches in grading as in class.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# LMS downloads for `nbgrader zip_collect`: build/downloaded/<assignment>/archive/
c.ZipCollectApp.downloaded_directory = os.path.join("build", "downloaded")

# Feedback shows each test's outcome and message, but not the hidden tests' code, so an exercise
# can be reused next term.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [ClearHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
