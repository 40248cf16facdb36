"""autograder: grading course exercises with nbgrader, from one submission to a whole class."""

import sys

# jsonschema (which nbformat and nbgrader load) imports rfc3987_syntax where it is installed (JupyterLab's
# jupyter-events brings it), and that package builds an RFC 3987 parser at import: about 2 s of CPU in the
# runner and in every worker. Nothing in the grader validates IRIs, so its processes go without it.
sys.modules.setdefault("rfc3987_syntax", None)
