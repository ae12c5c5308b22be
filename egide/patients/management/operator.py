"""The account an operator names with ``--as``: its roles decide what the command may do."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from egide.accounts.models import User


def add_operator_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--as",
        dest="username",
        required=True,
        metavar="IDENTIFIANT",
        help="compte au nom duquel agir (ses droits s'appliquent et le journal l'enregistre)",
    )


def operator_get(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Compte inconnu ou désactivé : « {username} ».")
    return user
