"""`flask --app tutor privacy run`: the operator's daily cron job. Carries out the closures whose
cooling-off period has ended and, with TUTOR_RETENTION_DAYS set, deletes the answers of inactive
students. Prints what it did; running it twice in a row does nothing the second time."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from tutor.extensions import db
from tutor.privacy import closure, forget_kept_reports, retention
from tutor.web import now

privacy_cli = AppGroup("privacy", help="Personal data: carry out closures (注销) and the retention limit.")


def _counts(deleted: dict[str, int]) -> str:
    return "，".join(f"{table} {n}" for table, n in sorted(deleted.items())) or "无"


@privacy_cli.command("run")
def run() -> None:
    """Close accounts past their cooling-off period; apply TUTOR_RETENTION_DAYS (0: off)."""
    moment = now()
    days = float(current_app.config["TUTOR_CLOSURE_COOLING_DAYS"])
    closed = 0
    for user in closure.due_accounts(db.session, moment, days):
        user_id = user.id
        deleted = closure.close_account(db.session, user, moment)
        db.session.commit()
        forget_kept_reports(current_app.extensions)
        closed += 1
        click.echo(f"已注销账号 id {user_id}（申请于 {user.closure_requested_at:%Y-%m-%d %H:%M} UTC），删除：{_counts(deleted)}")
    click.echo(f"注销：{closed} 个账号")
    keep = float(current_app.config["TUTOR_RETENTION_DAYS"])
    if keep <= 0:
        click.echo("保留期限：未设置（TUTOR_RETENTION_DAYS=0），不删除作答记录")
        return
    cleared = 0
    for user_id, username in retention.inactive_students(db.session, moment, keep):
        deleted = retention.delete_answers(db.session, [user_id])
        db.session.commit()
        if deleted:
            cleared += 1
            click.echo(f"已删除 {closure.shown_name(username)}（id {user_id}）超过 {keep:g} 天未活动的作答记录："
                       f"{_counts(deleted)}")
    click.echo(f"保留期限 {keep:g} 天：清理了 {cleared} 个学生的作答记录")
