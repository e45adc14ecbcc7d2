"""w2v_course: the tooling around the course, kept apart from the library the lessons teach.

``w2v_edu`` holds the model a learner reads; this package holds what builds and checks the course
itself: the exercise checks and notebook build (homework), the grader, and the website/slides build.
"""
