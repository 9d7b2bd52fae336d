"""`flask --app contest ...` commands: user administration and demo data (and, registered here,
certificate jobs and backups)."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from contest.auth import services as accounts
from contest.auth.models import Role, User
from contest.errors import ServiceError
from contest.extensions import db

users = AppGroup("users", help="Create accounts, change roles, disable accounts.")
ROLE_CHOICE = click.Choice([role.value for role in Role])


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Piped in (for scripts): the first line of standard input.
    return sys.stdin.readline().rstrip("\r\n")


def _user_or_fail(email: str) -> User:
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}")
    return user


def _commit_or_fail(action) -> None:
    try:
        action()
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLE_CHOICE, default=Role.PARTICIPANT.value, show_default=True)
@click.option("--name", required=True, help="Full name as shown on the site.")
def create_user(email: str, role: str, name: str) -> None:
    """Create an account; the password is asked for, or read from standard input."""
    password = _read_password()
    _commit_or_fail(lambda: accounts.create_user(email=email, name=name, password=password, role=Role(role)))
    click.echo(f"Created {role} account {email}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_CHOICE)
def set_role(email: str, role: str) -> None:
    """Give an existing account another role."""
    user = _user_or_fail(email)
    _commit_or_fail(lambda: accounts.set_role(user, Role(role)))
    click.echo(f"{email} is now {role}")


@users.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and sign it out everywhere."""
    user = _user_or_fail(email)
    _commit_or_fail(lambda: accounts.disable_user(user))
    click.echo(f"{email} is disabled")


@click.command("demo")
def demo() -> None:
    """Load demo data (safe to run again: existing rows are kept)."""
    from contest.demo import load_demo

    logins = load_demo()
    db.session.commit()
    click.echo("Demo data loaded. Sign in with:")
    for email, password, role in logins:
        click.echo(f"  {role:<12} {email:<32} {password}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
    from contest.files.migrate import register_cli as register_file_commands
    from contest.ops.backup import register_cli as register_backup_commands
    from contest.queues import register_cli as register_worker_command

    register_worker_command(app)
    register_backup_commands(app)
    register_file_commands(app)
