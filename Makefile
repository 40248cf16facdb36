# The commands the README names. All of them set up the environment first (quick when nothing changed).
ASSIGNMENT ?= 01-linear-algebra
SUBMISSIONS ?= build/submitted
N ?= 24
VENV := .venv
RUN := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin

.PHONY: setup lab test test-fast exercises grade export bench-grading

setup:          ## virtual environment, pinned packages, kernel, Fashion-MNIST (as root)
	bash setup.sh env

lab:            ## start JupyterLab on the course
	bash setup.sh lab

test:           ## the whole test suite (what CI runs)
	bash setup.sh test

test-fast:      ## unit tests only: no notebook execution, grading runs, browser or cluster
	bash setup.sh test -m "not slow and not browser"

exercises: setup ## regenerate exercises/ from solutions/ (commit the result)
	$(RUN)/nbgrader generate_assignment $(ASSIGNMENT) --force

grade: setup    ## sandboxed, parallel autograding of $(SUBMISSIONS): gradebook, CSV and feedback in build/
	$(RUN)/python -m autograder grade $(ASSIGNMENT) --submissions $(SUBMISSIONS)

export: setup   ## the whole gradebook as build/grades.csv
	$(RUN)/nbgrader export --to build/grades.csv

bench-grading: setup ## where grading time goes (exercises 01 and 07, $(N) submissions each) and a class of 300's throughput
	$(RUN)/python -m autograder.bench --n $(N) --workers 2
