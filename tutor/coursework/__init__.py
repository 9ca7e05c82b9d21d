"""作业 (assignments) as the rest of the app needs them: the rules the server enforces, how
questions are chosen, what a student's try has done, and the teacher's report. Not a
blueprint: the practice, exam and assignment pages all ask here, so none imports another."""
