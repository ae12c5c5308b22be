"""Login (password, then second factor), first-login steps and re-authentication."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from egide.accounts.decorators import require_recent_auth
from egide.accounts.forms import (
    ApiTokenForm,
    ReauthenticationForm,
    SecondFactorForm,
    TemporaryPasswordChangeForm,
)
from egide.accounts.login_steps import (
    after_login_url,
    password_checked,
    remember_next,
    safe_next,
    second_factor_checked,
)
from egide.accounts.models import TokenScope, User
from egide.accounts.second_factor import (
    SECOND_FACTOR_SUBJECT,
    has_second_factor,
    recovery_codes_at_enrolment,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_match,
    totp_device_pending,
    totp_enrol_confirm,
    totp_qr_data_uri,
    totp_secret_base32,
)
from egide.accounts.selectors import current_user
from egide.accounts.services import password_change
from egide.accounts.signals import password_changed
from egide.accounts.throttling import (
    Refusal,
    login_failure_record,
    login_refusal,
    login_success_record,
    source_ip,
)
from egide.accounts.tokens import token_create, token_list_for_user, token_revoke
from egide.audit.actions import Action, Outcome
from egide.audit.services import audit_record
from egide.core.errors import Invalid
from egide.mfa.homologation import approved_means
from egide.mfa.models import Means, PasskeyDevice
from egide.mfa.passkeys import login_offer, passkey_authenticate, passkey_register, registration_offer

TOO_MANY_REQUESTS = 429


def _refused(
    request: HttpRequest, template: str, context: dict[str, object], refusal: Refusal
) -> HttpResponse:
    return render(request, template, {**context, "refusal": refusal}, status=TOO_MANY_REQUESTS)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Step 1, the password. An unknown account and a wrong password get the same page, after the
    same work (Django's ModelBackend hashes once for an unknown username)."""
    if request.method != "POST":
        if request.user.is_authenticated:
            return redirect(after_login_url(request))
        next_url = request.GET.get("next", "")
        return render(request, "accounts/login.html", {"form": AuthenticationForm(request), "next": next_url})
    username = request.POST.get("username", "")
    next_url = request.POST.get("next", "")
    ip = source_ip(request)
    refusal = login_refusal(username=username, ip=ip)
    if refusal is not None:
        form = AuthenticationForm(request, initial={"username": username})
        return _refused(request, "accounts/login.html", {"form": form, "next": next_url}, refusal)
    form = AuthenticationForm(request, data=request.POST)
    if form.is_valid():
        auth_login(request, form.get_user())
        password_checked(request)
        remember_next(request, next_url)
        return redirect(after_login_url(request))
    login_failure_record(username=username, ip=ip)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _second_factor_proven(request: HttpRequest, device: object) -> None:
    otp_login(request, device)
    second_factor_checked(request)
    # A new session id once the session grants access (as Django's login() does after the password).
    request.session.cycle_key()


def _second_factor_failed(request: HttpRequest, user: User) -> None:
    with transaction.atomic():
        audit_record(
            action=Action.LOGIN_FAILED,
            outcome=Outcome.FAILURE,
            actor=user,
            subject_type=SECOND_FACTOR_SUBJECT,
        )
    login_failure_record(username=user.username, ip=source_ip(request), account=user)


def _second_factor_device(
    request: HttpRequest, user: User, form: SecondFactorForm
) -> tuple[object | None, str]:
    """The device the form proves (a passkey's answer, or a typed code), or None and why not."""
    credential = form.cleaned_data.get("credential")
    if credential:
        try:
            passkey = passkey_authenticate(request=request, user=user, credential=credential)
        except Invalid as refusal:
            return None, str(refusal.message)
        return passkey, ""
    device = second_factor_match(user=user, code=form.cleaned_data["code"])
    if device is None:
        return None, _("This code is not valid. Type the code your application shows now.")
    return device, ""


def _second_factor_page(request: HttpRequest, user: User, form: SecondFactorForm) -> HttpResponse:
    context = {"form": form, "passkey_options": login_offer(request=request, user=user)}
    return render(request, "accounts/second_factor.html", context)


@sensitive_post_parameters("code", "credential")
@never_cache
@login_required
def second_factor_view(request: HttpRequest) -> HttpResponse:
    """Step 2: one's passkey, a code of the authenticator application, or a recovery code."""
    user = current_user(request)
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        refusal = login_refusal(username=user.username, ip=source_ip(request))
        if refusal is not None:
            context: dict[str, object] = {"form": SecondFactorForm(), "passkey_options": None}
            return _refused(request, "accounts/second_factor.html", context, refusal)
        device, reason = _second_factor_device(request, user, form)
        if device is not None:
            _second_factor_proven(request, device)
            login_success_record(username=user.username)
            return redirect(after_login_url(request))
        _second_factor_failed(request, user)
        form.add_error("code", reason)
    return _second_factor_page(request, user, form)


def _enrolled(request: HttpRequest, user: User, device: object, codes: list[str]) -> HttpResponse:
    _second_factor_proven(request, device)
    login_success_record(username=user.username)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next_url": after_login_url(request)}
    )


@sensitive_post_parameters("code", "credential")
@never_cache
@login_required
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """First login: link an authenticator application or register a passkey, among the means the
    practice approved; the recovery codes are shown once."""
    user = current_user(request)
    if has_second_factor(user) or getattr(user, "is_verified", lambda: False)():
        # Adding or replacing a second factor is a sensitive change, not a first-login step.
        return redirect(after_login_url(request))
    approved = approved_means(practice=user.practice)
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and form.cleaned_data.get("credential") and Means.PASSKEY in approved:
        try:
            with transaction.atomic():
                passkey: PasskeyDevice = passkey_register(
                    request=request, user=user, credential=form.cleaned_data["credential"]
                )
                codes = recovery_codes_at_enrolment(user)
        except Invalid as refusal:
            form.add_error(None, str(refusal.message))
        else:
            return _enrolled(request, user, passkey, codes)
    device = totp_device_pending(user=user) if Means.TOTP in approved else None
    if device is not None and form.is_valid() and not form.cleaned_data.get("credential"):
        totp_codes = totp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if totp_codes is not None:
            return _enrolled(request, user, device, totp_codes)
        form.add_error("code", _("This code is not valid. Check the time of your phone and type a new code."))
    context: dict[str, object] = {
        "form": form,
        "totp_offered": device is not None,
        "passkey_options": registration_offer(request=request, user=user)
        if Means.PASSKEY in approved
        else None,
        "passkey_approved": Means.PASSKEY in approved,
    }
    if device is not None:
        context.update(qr_code=totp_qr_data_uri(device), secret=totp_secret_base32(device))
    return render(request, "accounts/totp_enrol.html", context)


@sensitive_post_parameters()
@never_cache
@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    """Replace one's password; forced at first login, when the password is a temporary one."""
    user = current_user(request)
    form = TemporaryPasswordChangeForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        password_change(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        password_changed.send(sender=User, user=user, request=request)
        password_checked(request)
        messages.success(request, _("Your password has been changed."))
        return redirect(after_login_url(request))
    return render(
        request, "accounts/password_change.html", {"form": form, "temporary": user.must_change_password}
    )


@sensitive_post_parameters("password", "code", "credential")
@never_cache
@login_required
def reauthenticate_view(request: HttpRequest) -> HttpResponse:
    """Prove the password and the second factor (a code or a passkey) again before a sensitive action."""
    user = current_user(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = ReauthenticationForm(request.POST if request.method == "POST" else None)
    context: dict[str, object] = {"form": form, "next": next_url, "codes_left": recovery_codes_left(user)}
    if form.is_valid():
        refusal = login_refusal(username=user.username, ip=source_ip(request))
        if refusal is not None:
            return _refused(request, "accounts/reauthenticate.html", context, refusal)
        # authenticate(): a wrong password sends user_login_failed, which the journal records.
        checked = authenticate(request, username=user.username, password=form.cleaned_data["password"])
        if checked is not None and checked.pk == user.pk:
            if _second_factor_device(request, user, form)[0] is not None:
                password_checked(request)
                second_factor_checked(request)
                login_success_record(username=user.username)
                return redirect(next_url or resolve_url("web:dashboard"))
            _second_factor_failed(request, user)
        else:
            login_failure_record(username=user.username, ip=source_ip(request), account=user)
        form.add_error(None, _("Incorrect password or code."))
    context["passkey_options"] = login_offer(request=request, user=user)
    return render(request, "accounts/reauthenticate.html", context)


@never_cache
@require_recent_auth
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Replace one's recovery codes (lost, or nearly used up): a 2FA change, so re-authenticated."""
    user = current_user(request)
    if request.method == "POST":
        codes = recovery_codes_regenerate(user=user)
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": codes, "next_url": resolve_url(settings.LOGIN_REDIRECT_URL)},
        )
    return render(request, "accounts/recovery_codes_renew.html", {"codes_left": recovery_codes_left(user)})


def _expiry(expires_on: date | None) -> datetime | None:
    """The end of the chosen day, local time: the token works all of that day."""
    if expires_on is None:
        return None
    return timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), time.min))


@never_cache
@login_required
def api_tokens_view(request: HttpRequest) -> HttpResponse:
    """One's own API tokens: prefix, scope, last use; creating one asks a recent re-authentication."""
    user = current_user(request)
    return render(request, "accounts/api_tokens.html", {"tokens": token_list_for_user(user=user)})


@never_cache
@require_recent_auth
def api_token_create_view(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, value = token_create(
                user=user,
                name=form.cleaned_data["name"],
                scope=TokenScope(form.cleaned_data["scope"]),
                expires_at=_expiry(form.cleaned_data["expires_on"]),
            )
        except Invalid as error:
            for field, field_messages in error.fields.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else "expires_on", message)
        else:
            # Shown now and never again: only its digest is kept.
            return render(request, "accounts/api_token_created.html", {"token": token, "value": value})
    return render(request, "accounts/api_token_new.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token_revoke(user=current_user(request), token_id=token_id)
    messages.success(request, _("Token revoked: it no longer works."))
    return redirect("accounts:api_tokens")
