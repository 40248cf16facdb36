"""autograder: grading course exercises with nbgrader, from one submission to a whole class."""
