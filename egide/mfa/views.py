"""One's own second factor (passkeys, authenticator application) and the practice's approved means."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from egide.accounts.decorators import require_recent_auth, require_role
from egide.accounts.models import Role
from egide.accounts.second_factor import (
    recovery_codes_left,
    totp_device_pending,
    totp_qr_data_uri,
    totp_replace_confirm,
    totp_secret_base32,
)
from egide.accounts.selectors import current_user
from egide.core.errors import Conflict, Invalid, NotFound
from egide.mfa.forms import MeansDecisionForm, PasskeyNameForm, PasskeyRegistrationForm, TotpCodeForm
from egide.mfa.homologation import accounts_means, approved_means, means_decide, means_states
from egide.mfa.models import Means, SealedTOTPDevice
from egide.mfa.passkeys import (
    passkey_register,
    passkey_remove,
    passkey_rename,
    passkeys_of,
    registration_offer,
)


@never_cache
@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """My second factor: the authenticator application, my passkeys, my recovery codes."""
    user = current_user(request)
    approved = approved_means(practice=user.practice)
    totp = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    passkeys = passkeys_of(user)
    context = {
        "totp": totp,
        "passkeys": passkeys,
        "codes_left": recovery_codes_left(user),
        "totp_approved": Means.TOTP in approved,
        "passkey_approved": Means.PASSKEY in approved,
        "compliant": (totp is not None and Means.TOTP in approved)
        or (bool(passkeys) and Means.PASSKEY in approved),
    }
    return render(request, "mfa/account.html", context)


@sensitive_post_parameters("credential")
@never_cache
@require_recent_auth
def passkey_add_view(request: HttpRequest) -> HttpResponse:
    """Register a new passkey (a change of second factor: re-authenticated)."""
    user = current_user(request)
    if Means.PASSKEY not in approved_means(practice=user.practice):
        raise NotFound
    form = PasskeyRegistrationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            passkey_register(
                request=request,
                user=user,
                credential=form.cleaned_data["credential"],
                name=form.cleaned_data["name"],
            )
        except Invalid as refusal:
            form.add_error(None, str(refusal.message))
        else:
            messages.success(request, _("Passkey registered."))
            return redirect("mfa:account")
    context = {"form": form, "passkey_options": registration_offer(request=request, user=user)}
    return render(request, "mfa/passkey_add.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def passkey_rename_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    form = PasskeyNameForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    passkey_rename(user=current_user(request), passkey_id=passkey_id, name=name)
    messages.success(request, _("Passkey renamed."))
    return redirect("mfa:account")


@never_cache
@require_recent_auth
def passkey_remove_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """Confirm, then remove one's passkey (re-authenticated); refused if it is the last factor."""
    user = current_user(request)
    passkey = next((passkey for passkey in passkeys_of(user) if passkey.pk == passkey_id), None)
    if passkey is None:
        raise NotFound
    if request.method == "POST":
        passkey_remove(user=user, passkey_id=passkey_id)
        messages.success(request, _("Passkey removed: it no longer opens your account."))
        return redirect("mfa:account")
    return render(request, "mfa/passkey_remove.html", {"passkey": passkey})


@sensitive_post_parameters("code")
@never_cache
@require_recent_auth
def totp_replace_view(request: HttpRequest) -> HttpResponse:
    """Link a new authenticator application (a new phone); the old one stops working (re-authenticated)."""
    user = current_user(request)
    if Means.TOTP not in approved_means(practice=user.practice):
        raise NotFound
    device = totp_device_pending(user=user)
    form = TotpCodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if totp_replace_confirm(user=user, device=device, code=form.cleaned_data["code"]):
            messages.success(
                request, _("The new authenticator application is active; the old one no longer works.")
            )
            return redirect("mfa:account")
        form.add_error("code", _("This code is not valid. Check the time of your phone and type a new code."))
    context = {"form": form, "qr_code": totp_qr_data_uri(device), "secret": totp_secret_base32(device)}
    return render(request, "mfa/totp_replace.html", context, status=400 if form.errors else 200)


@never_cache
@require_role(Role.ADMIN)
def homologation_view(request: HttpRequest) -> HttpResponse:
    """The means the practice approved, and each account's means and compliance."""
    practice = current_user(request).practice
    return render(
        request,
        "mfa/homologation.html",
        {"states": means_states(practice=practice), "accounts": accounts_means(practice=practice)},
    )


@never_cache
@require_role(Role.ADMIN)
@require_recent_auth
def means_decide_view(request: HttpRequest) -> HttpResponse:
    """Approve or withdraw a means, with the reference of the practice's decision (re-authenticated)."""
    user = current_user(request)
    form = MeansDecisionForm(request.POST if request.method == "POST" else None, initial=request.GET.dict())
    if form.is_valid():
        approved = form.cleaned_data["decision"] == MeansDecisionForm.APPROVE
        try:
            means_decide(
                actor=user,
                means=Means(form.cleaned_data["means"]),
                approved=approved,
                reference=form.cleaned_data["reference"],
            )
        except Invalid as error:
            for message in error.fields.get("reference", [str(error.message)]):
                form.add_error("reference", message)
        except Conflict as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The practice's decision has been recorded."))
            return redirect("mfa:homologation")
    return render(request, "mfa/means_decide.html", {"form": form}, status=400 if form.errors else 200)
