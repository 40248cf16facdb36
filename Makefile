# The commands the README names. All of them set up the environment first (quick when nothing changed).
ASSIGNMENT ?= 01-linear-algebra
VENV := .venv
NBGRADER := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/nbgrader

.PHONY: setup lab test test-fast exercises grade feedback export

setup:          ## virtual environment, pinned packages, kernel, Fashion-MNIST (as root)
	bash setup.sh env

lab:            ## start JupyterLab on the course
	bash setup.sh lab

test:           ## the whole test suite (what CI runs)
	bash setup.sh test

test-fast:      ## unit tests only: no notebook execution, nbgrader runs or browser
	bash setup.sh test -m "not slow and not browser"

exercises: setup ## regenerate exercises/ from solutions/ (commit the result)
	$(NBGRADER) generate_assignment $(ASSIGNMENT) --force

grade: setup    ## autograde every submission in build/submitted/<student>/$(ASSIGNMENT)/
	$(NBGRADER) autograde $(ASSIGNMENT)

feedback: setup ## HTML feedback for every autograded submission, in build/feedback/
	$(NBGRADER) generate_feedback $(ASSIGNMENT)

export: setup   ## the gradebook as build/grades.csv
	$(NBGRADER) export --to build/grades.csv
