"""Personal-data rights under PIPL (个人信息保护法): what is stored about a user (data.py, for
download as JSON or CSV files in a ZIP, archive.py), account closure with its cooling-off
period (closure.py), and the retention limit on inactive students' answers (retention.py).

Plain functions over a SQLAlchemy session: the account blueprint and the CLI call them and
commit. See docs/privacy.md.
"""
