"""`flask --app tutor backup OUT` and `flask --app tutor restore IN`: the database to a file and back.

SQLite is copied with its online backup API: one consistent snapshot while the app goes on
writing (WAL readers do not block writers), and a restore writes the backup's pages into the
database the same way, so no `-wal` or `-shm` file is left behind to disagree with it.
PostgreSQL uses `pg_dump -Fc` (a snapshot in one transaction) and `pg_restore --clean
--if-exists`; the URL's parts go to them as PG* environment variables, never on a command line
(where `ps` would show the password) and never through a shell.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
# fixed argument lists, never a shell
import subprocess  # nosec B404
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import column, create_engine, inspect, select, table, text
from sqlalchemy.engine import URL, make_url

from tutor.extensions import db

# Alembic's bookkeeping: a database holding only this is as good as empty.
VERSION_TABLE = "alembic_version"


class BackupError(click.ClickException):
    pass


def backup(url: URL, out: Path) -> None:
    """Write a consistent copy of the database at `url` to `out` (which must not exist yet)."""
    if out.exists():
        raise BackupError(f"{out} 已存在；换一个文件名，备份不会覆盖已有文件")
    partial = out.with_name(f".{out.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial)
        elif url.get_backend_name() == "postgresql":
            _run(["pg_dump", "--format=custom", f"--file={partial}"], url)
        else:
            raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库")
        partial.replace(out)   # a failed backup leaves no file that looks like a good one
    finally:
        partial.unlink(missing_ok=True)


def restore(url: URL, source: Path, force: bool = False) -> str | None:
    """Replace the database at `url` with the backup `source`; returns its schema revision."""
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}")
    if not force and (tables := nonempty_tables(url)):
        raise BackupError(f"数据库中已有数据（{'、'.join(tables[:5])}…），不会覆盖；"
                          "确实要用备份替换它，请加 --force")
    if url.get_backend_name() == "sqlite":
        _sqlite_check(source)
        _sqlite_copy(source, _sqlite_path(url))
    elif url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", f"--dbname={url.database}", str(source)], url)
    else:
        raise BackupError(f"不支持恢复 {url.get_backend_name()} 数据库")
    return schema_revision(url)


def nonempty_tables(url: URL) -> list[str]:
    """The tables holding at least one row (Alembic's own aside)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(set(inspect(connection).get_table_names()) - {VERSION_TABLE})
            return [name for name in names
                    if connection.execute(select(text("1")).select_from(table(name)).limit(1)).first()]
    finally:
        engine.dispose()


def schema_revision(url: URL) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if VERSION_TABLE not in inspect(connection).get_table_names():
                return None
            return connection.execute(select(column("version_num")).select_from(table(VERSION_TABLE))).scalar()
    finally:
        engine.dispose()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    # pages=-1 (the default) copies in one step under one read transaction: a snapshot
    src = sqlite3.connect(_read_only(source), uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _read_only(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"     # as_uri escapes "?" and "#" in the name


def _sqlite_check(source: Path) -> None:
    try:
        connection = sqlite3.connect(_read_only(source), uri=True)
        try:
            ok = connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        ok = False
    if not ok:
        raise BackupError(f"{source} 不是完好的 SQLite 数据库文件")


def _run(command: list[str], url: URL) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian：apt-get install "
                          "postgresql-client），其主版本不低于服务器的")
    env = {**os.environ, **_pg_environment(url)}
    done = subprocess.run([program, *command[1:]], env=env, capture_output=True, text=True)  # nosec B603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


def _pg_environment(url: URL) -> dict[str, str]:
    """libpq's variables for the URL: the password never appears in a process listing."""
    query = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    env = {"PGHOST": url.host or query.get("host"), "PGPORT": str(url.port) if url.port else query.get("port"),
           "PGUSER": url.username, "PGPASSWORD": url.password, "PGDATABASE": url.database,
           "PGSSLMODE": query.get("sslmode")}
    return {key: str(value) for key, value in env.items() if value}


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Write a consistent copy of the database to OUT while the app keeps running."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    backup(url, out)
    click.echo(f"已备份到 {out}（{out.stat().st_size} 字节，数据库结构版本 {schema_revision(url) or '未知'}）")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Replace the database with the backup SOURCE (stop the app first)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    db.session.remove()
    db.engine.dispose()     # no pooled connection of ours may hold a lock the restore waits for
    revision = restore(url, source, force)
    from alembic.script import ScriptDirectory
    from tutor.schema import MIGRATIONS
    scripts = ScriptDirectory(str(MIGRATIONS))
    known = {script.revision for script in scripts.walk_revisions()}
    if revision in scripts.get_heads():
        state = "即最新版本"
    elif revision is None:
        state = "备份中没有结构版本记录；应用启动时会按当前模型接管它"
    elif revision not in known:
        state = "本程序不认识这个版本（备份来自更新的程序？），请用相应版本的程序运行"
    else:
        state = "应用启动时会自动升级到最新版本"
    click.echo(f"已从 {source} 恢复，数据库结构版本 {revision or '未知'}，{state}")
