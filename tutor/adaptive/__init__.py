"""智能练习 and readiness: what the student would score on the mock exam now, and which
questions raise that score most per minute of practice (docs/adaptive.md).

`model` and `chooser` are pure (no Flask, no database) so that the learner simulator in bench/
runs the very code the app runs; `state` reads a student's rows into the model's inputs.
"""
