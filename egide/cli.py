"""The `egide` command: friendly verbs over Django management commands."""

from __future__ import annotations

import os
import sys

HELP = """\
egide — protection des données de santé du cabinet

Utilisation : egide VERBE [options]     (egide VERBE --help pour le détail)

  init      prépare les répertoires, les clés, la base et le premier administrateur
  demo      prépare un cabinet de démonstration (un compte par rôle)
  serve     sert l'interface web (127.0.0.1:8000 par défaut)
  worker    exécute les tâches de fond et leurs planifications
  check     vérifie la configuration ; « egide check --deploy » avant la mise en production
  keys      clés de chiffrement : état, rotation, kit de récupération, reconstitution
  unseal    déverrouille la clé maîtresse protégée par phrase de passe
  audit     journal des accès : vérification, preuves, export
  import    importe un Bundle FHIR R4 (patients, NIR/INS, notes, documents) : egide import FICHIER --as COMPTE
  export    exporte un patient en Bundle FHIR R4 : egide export PATIENT_ID --as COMPTE [--output FICHIER]
  psc       Pro Santé Connect : egide psc configure|rpps|status
  backup    sauvegardes : egide backup run|check|forget|status|unlock|destination
  restore   restaure une sauvegarde : egide restore --from DESTINATION --target RÉPERTOIRE
  manage    toute commande d'administration Django (egide manage help)
"""

VERBS = frozenset(
    {"init", "demo", "serve", "worker", "check", "keys", "unseal", "audit", "import", "export", "psc"}
    | {"backup", "restore"}
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Every file Égide creates (database, journal, keys) is private to its account.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egide.settings")
    if not args or args[0] in {"-h", "--help", "aide", "help"}:
        sys.stdout.write(HELP)
        return 0
    verb, rest = args[0], args[1:]
    if verb == "manage":
        command = rest or ["help"]
    elif verb in VERBS:
        command = [verb, *rest]
    else:
        sys.stderr.write(f"egide : verbe inconnu « {verb} ».\n\n{HELP}")
        return 2
    from django.core.management import execute_from_command_line

    execute_from_command_line(["egide", *command])
    return 0


if __name__ == "__main__":
    sys.exit(main())
