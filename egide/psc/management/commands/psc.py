"""``egide psc configure|rpps|status``: Pro Santé Connect from the server's command line."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egide.accounts.models import Practice, User
from egide.core.errors import EgideError
from egide.psc.selectors import configuration_for_practice
from egide.psc.services import psc_configure, psc_rpps_register

SECRET_ENV = "EGIDE_PSC_CLIENT_SECRET"  # noqa: S105  # a variable name
ACTOR_LABEL = "egide psc"


class Command(BaseCommand):
    help = "Pro Santé Connect : réglages du cabinet et numéros RPPS des comptes."

    def add_arguments(self, parser: ArgumentParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        configure = verbs.add_parser("configure", help="règle le client Pro Santé Connect d'un cabinet")
        configure.add_argument("--cabinet", help="identifiant du cabinet (facultatif s'il n'y en a qu'un)")
        configure.add_argument("--issuer", required=True, help="émetteur (issuer) donné par l'ANS")
        configure.add_argument("--client-id", required=True)
        configure.add_argument(
            "--client-secret-file",
            type=Path,
            help=f"fichier contenant le secret ; sinon la variable {SECRET_ENV}, sinon il est demandé",
        )
        configure.add_argument("--redirect-uri", required=True, help="adresse de retour déclarée à l'ANS")
        configure.add_argument("--discovery-url", default="", help="document de découverte s'il est ailleurs")
        configure.add_argument("--disable", action="store_true", help="désactive la connexion par PSC")
        rpps = verbs.add_parser("rpps", help="enregistre le numéro RPPS d'un compte")
        rpps.add_argument("username")
        rpps.add_argument("rpps")
        status = verbs.add_parser("status", help="affiche les réglages (jamais le secret)")
        status.add_argument("--cabinet")

    def _practice(self, chosen: str | None) -> Practice:
        if chosen:
            practice = Practice.objects.filter(pk=chosen).first() if _is_uuid(chosen) else None
            if practice is None:
                raise CommandError(f"Cabinet « {chosen} » introuvable.")
            return practice
        practices = list(Practice.objects.all()[:2])
        if len(practices) != 1:
            raise CommandError("Plusieurs cabinets (ou aucun) : précisez --cabinet IDENTIFIANT.")
        return practices[0]

    def _secret(self, path: Path | None) -> str:
        if path is not None:
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise CommandError(f"Fichier illisible : {path} ({error.strerror}).") from None
        if os.environ.get(SECRET_ENV):
            return os.environ[SECRET_ENV]
        if not sys.stdin.isatty():
            return ""  # keeps the current secret, if there is one
        return getpass.getpass("Secret du client (laisser vide pour garder l'actuel) : ")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "configure":
                practice = self._practice(options["cabinet"])
                psc_configure(
                    actor=None,
                    actor_label=ACTOR_LABEL,
                    practice=practice,
                    issuer=options["issuer"],
                    client_id=options["client_id"],
                    client_secret=self._secret(options["client_secret_file"]),
                    redirect_uri=options["redirect_uri"],
                    discovery_url=options["discovery_url"],
                    enabled=not options["disable"],
                )
                self.stdout.write(f"Pro Santé Connect réglé pour « {practice.name} ».")
            elif options["verb"] == "rpps":
                account = User.objects.filter(username=options["username"]).first()
                if account is None:
                    raise CommandError(f"Compte « {options['username']} » introuvable.")
                _identity, check_digit_ok = psc_rpps_register(
                    actor=None, actor_label=ACTOR_LABEL, account=account, rpps=options["rpps"]
                )
                self.stdout.write(f"Numéro RPPS enregistré sur le compte « {account.username} ».")
                if not check_digit_ok:
                    self.stderr.write(
                        "Attention : la clé de contrôle (Luhn) de ce numéro ne correspond pas. Cette règle "
                        "n'est pas confirmée par une source officielle, le numéro est donc gardé : "
                        "vérifiez-le sur la carte CPS ou dans l'Annuaire Santé."
                    )
            else:
                practice = self._practice(options["cabinet"])
                configuration = configuration_for_practice(practice)
                if configuration is None:
                    self.stdout.write(f"Pro Santé Connect n'est pas réglé pour « {practice.name} ».")
                    return
                state = "activé" if configuration.enabled else "désactivé"
                self.stdout.write(
                    f"Cabinet : {practice.name}\nÉtat : {state}\nÉmetteur : {configuration.issuer}\n"
                    f"Client : {configuration.client_id}\nAdresse de retour : {configuration.redirect_uri}\n"
                    f"Document de découverte : {configuration.discovery_url or '(standard)'}"
                )
        except EgideError as error:
            raise CommandError(error.describe()) from None


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
