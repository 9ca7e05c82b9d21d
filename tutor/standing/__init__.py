"""Where a student stands, shared by the pages that show it (home, practice, progress, the
instructor's reports) so that no blueprint imports another's internals: per-student statistics
read from the database (`stats`), the pure mastery and readiness rules (`mastery`), and which
questions are on a student's running mock exam (`papers`)."""
