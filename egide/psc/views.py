"""Pro Santé Connect pages: start a login or a re-authentication, the provider's callback, settings."""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.middleware import is_verified as otp_is_verified

from egide.accounts.decorators import REAUTH_URL_NAME, require_recent_auth, require_role
from egide.accounts.login_steps import (
    after_login_url,
    password_checked,
    remember_next,
    safe_next,
    second_factor_checked,
)
from egide.accounts.models import Practice, Role, User
from egide.accounts.selectors import current_user
from egide.accounts.throttling import login_success_record
from egide.core.errors import Invalid
from egide.psc.failures import Failure, PscFailure
from egide.psc.forms import PscConfigurationForm, RppsForm
from egide.psc.models import Purpose
from egide.psc.selectors import configuration_for_practice, enabled_configurations, staff_with_rpps
from egide.psc.services import (
    Pending,
    PscLogin,
    psc_authorisation_start,
    psc_callback_complete,
    psc_configure,
    psc_rpps_register,
    psc_rpps_remove,
)

PENDING_SESSION_KEY = "egide_psc_pending"
# Django's own backend: the account was found by its RPPS, not by a password.
_BACKEND = "django.contrib.auth.backends.ModelBackend"
BAD_GATEWAY = 502


def _failure_page(request: HttpRequest, failure: Failure, *, purpose: Purpose) -> HttpResponse:
    status = BAD_GATEWAY if failure in {Failure.UNREACHABLE, Failure.MISCONFIGURED} else 400
    retry_url = resolve_url(REAUTH_URL_NAME if purpose == Purpose.REAUTHENTICATION else "accounts:login")
    context = {"message": failure.message, "code": failure.code, "retry_url": retry_url}
    return render(request, "psc/failure.html", context, status=status)


def _verified_user(request: HttpRequest) -> User | None:
    """The session's account once past both factors (None for a visitor or mid-login)."""
    user = request.user
    verified = isinstance(user, User) and bool(getattr(user, "is_verified", lambda: False)())
    return user if verified and isinstance(user, User) else None


def _practice_for_login(request: HttpRequest) -> Practice | None:
    """The practice whose PSC client serves this login: the one chosen, the only one configured,
    or the one whose redirect URI is on this host name; None when a choice is needed."""
    configurations = list(enabled_configurations())
    chosen = request.GET.get("cabinet", "")
    if chosen:
        return next((c.practice for c in configurations if str(c.practice_id) == chosen), None)
    if len(configurations) == 1:
        return configurations[0].practice
    host = request.get_host()
    on_this_host = [c for c in configurations if urlsplit(c.redirect_uri).netloc == host]
    return on_this_host[0].practice if len(on_this_host) == 1 else None


def _redirect_to_provider(request: HttpRequest, url: str, pending: Pending) -> HttpResponse:
    request.session[PENDING_SESSION_KEY] = dict(pending)
    return redirect(url)


@never_cache
def login_start_view(request: HttpRequest) -> HttpResponse:
    """The "Log in with Pro Santé Connect" button: off to the provider (a link, not a form: the CSP's
    form-action would stop a form's redirect to another origin)."""
    if _verified_user(request) is not None:
        return redirect(after_login_url(request))
    next_url = safe_next(request, request.GET.get("next", ""))
    practice = _practice_for_login(request)
    if practice is None:
        if not enabled_configurations().exists():
            return _failure_page(request, Failure.NOT_CONFIGURED, purpose=Purpose.LOGIN)
        # Never a list of the practices to whoever asks: which practices an installation hosts is
        # not anyone's business. Each practice has its own link (?cabinet=<opaque id>).
        return render(request, "psc/practice_needed.html")
    try:
        url, pending = psc_authorisation_start(practice=practice, purpose=Purpose.LOGIN, next_url=next_url)
    except PscFailure as failure:
        return _failure_page(request, failure.failure, purpose=Purpose.LOGIN)
    return _redirect_to_provider(request, url, pending)


@never_cache
@login_required
def reauthenticate_start_view(request: HttpRequest) -> HttpResponse:
    """ "Confirm with Pro Santé Connect" on the re-authentication page."""
    user = current_user(request)
    next_url = safe_next(request, request.GET.get("next", ""))
    try:
        url, pending = psc_authorisation_start(
            practice=user.practice, purpose=Purpose.REAUTHENTICATION, user=user, next_url=next_url
        )
    except PscFailure as failure:
        return _failure_page(request, failure.failure, purpose=Purpose.REAUTHENTICATION)
    return _redirect_to_provider(request, url, pending)


def _pending_from_session(request: HttpRequest) -> Pending | None:
    stored = request.session.pop(PENDING_SESSION_KEY, None)
    if not isinstance(stored, dict) or not all(
        isinstance(stored.get(key), str) for key in ("state", "nonce", "code_verifier", "next")
    ):
        return None
    return Pending(
        state=stored["state"],
        nonce=stored["nonce"],
        code_verifier=stored["code_verifier"],
        next=stored["next"],
    )


def _open_session(request: HttpRequest, login: PscLogin) -> None:
    """Both factors proven at once: the CPS card or e-CPS is eIDAS "substantial" (regulatory-facts
    §5.5), so the session is verified and counts as a fresh re-authentication."""
    if login.purpose == Purpose.LOGIN:
        auth_login(request, login.user, backend=_BACKEND)
    otp_login(request, login.identity)
    # What OTPMiddleware gives the user of every later request (the login's user is a new object).
    login.user.is_verified = functools.partial(otp_is_verified, login.user)  # type: ignore[attr-defined]
    password_checked(request)
    second_factor_checked(request)
    request.session.cycle_key()
    login_success_record(username=login.user.username)


@never_cache
def callback_view(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back, with ``code`` and ``state`` (or ``error``)."""
    pending = _pending_from_session(request)
    # Someone past the password only (on the second-factor page) logs in afresh with the card.
    current = _verified_user(request)
    try:
        login = psc_callback_complete(
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            pending=pending,
            current=current,
        )
    except PscFailure as failure:
        purpose = Purpose.REAUTHENTICATION if current is not None else Purpose.LOGIN
        return _failure_page(request, failure.failure, purpose=purpose)
    assert pending is not None  # noqa: S101  # psc_callback_complete refuses a missing one
    _open_session(request, login)
    if login.purpose == Purpose.REAUTHENTICATION:
        return redirect(safe_next(request, pending["next"]) or resolve_url("web:dashboard"))
    remember_next(request, pending["next"])
    return redirect(after_login_url(request))


def _add_errors(form: PscConfigurationForm | RppsForm, error: Invalid) -> None:
    for field, field_messages in error.fields.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


@sensitive_post_parameters("client_secret")
@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def settings_view(request: HttpRequest) -> HttpResponse:
    """The administrator's page: the practice's PSC client, and the RPPS number of each account."""
    admin = current_user(request)
    configuration = configuration_for_practice(admin.practice)
    default_redirect = request.build_absolute_uri(reverse("psc:callback"))
    initial = (
        {
            "issuer": configuration.issuer,
            "discovery_url": configuration.discovery_url,
            "client_id": configuration.client_id,
            "redirect_uri": configuration.redirect_uri,
            "enabled": configuration.enabled,
        }
        if configuration is not None
        else {"redirect_uri": default_redirect, "enabled": True}
    )
    form = PscConfigurationForm(initial=initial)
    rpps_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and request.POST.get("form") == "configuration":
        form = PscConfigurationForm(request.POST)
        if form.is_valid():
            try:
                psc_configure(actor=admin, practice=admin.practice, **form.cleaned_data)
            except Invalid as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Pro Santé Connect settings saved."))
                return redirect("psc:settings")
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "rpps":
        rpps_form = RppsForm(request.POST)
        account = (
            User.objects.filter(pk=rpps_form.cleaned_data["account"], practice=admin.practice).first()
            if rpps_form.is_valid()
            else None
        )
        if account is not None:
            try:
                if rpps_form.cleaned_data["rpps"]:
                    _identity, check_digit_ok = psc_rpps_register(
                        actor=admin, account=account, rpps=rpps_form.cleaned_data["rpps"]
                    )
                    messages.success(request, _("RPPS number registered."))
                    if not check_digit_ok:
                        messages.warning(
                            request,
                            _(
                                "The last digit of this RPPS number does not match the usual check "
                                "(Luhn). This rule is not confirmed by an official source, so the number "
                                "was kept: check it against the CPS card or the Annuaire Santé."
                            ),
                        )
                else:
                    psc_rpps_remove(actor=admin, account=account)
                    messages.success(request, _("RPPS number removed."))
                return redirect("psc:settings")
            except Invalid as error:
                rpps_errors[str(account.pk)] = [m for ms in error.fields.values() for m in ms]
        status = 400
    context = {
        "form": form,
        "configured": configuration is not None,
        "staff": staff_with_rpps(admin.practice),
        "rpps_errors": rpps_errors,
        "default_redirect": default_redirect,
        "login_link": request.build_absolute_uri(reverse("psc:login")) + f"?cabinet={admin.practice_id}",
    }
    return render(request, "psc/settings.html", context, status=status)
