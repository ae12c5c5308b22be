"""What the accounts part announces to the parts built on it (which it must not import)."""

from __future__ import annotations

from django.dispatch import Signal

# A person changed their own password (``user``, ``request``): their other sessions must end now
# (egide.staff ends them), not when each one next asks for a page.
password_changed = Signal()
