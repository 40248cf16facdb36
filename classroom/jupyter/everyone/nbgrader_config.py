"""nbgrader settings every user of the classroom hub gets: the course and its exchange."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

c.CourseDirectory.course_id = "dlcourse"
c.Exchange.root = os.environ.get("DLCOURSE_EXCHANGE", "/srv/dlcourse/exchange")
