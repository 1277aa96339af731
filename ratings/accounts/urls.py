from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views

from ratings.accounts.views import mfa, passwords, session, tokens

webauthn = [
    path("registration/begin/", mfa.PasskeyRegistrationBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", mfa.PasskeyRegistrationComplete.as_view(), name="credential-registration-complete"),
    path(
        "authentication/begin/",
        webauthn_views.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        mfa.PasskeyAuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]

urlpatterns = [
    path("login/", passwords.LoginView.as_view(), name="login"),
    path("password/", passwords.password_change, name="password-change"),
    path("password-reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path("reset/<uidb64>/<token>/", passwords.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("mfa/verify/", mfa.verify, name="mfa-verify"),
    path("mfa/setup/", mfa.setup, name="mfa-setup"),
    path("security/", mfa.security, name="account-security"),
    path("security/recovery-codes/", mfa.recovery_codes, name="mfa-recovery-codes"),
    path("tokens/", tokens.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("session/keepalive/", session.keepalive, name="session-keepalive"),
    path("session/resume/", session.resume, name="session-resume"),
    path("webauthn/", include((webauthn, "otp_webauthn"))),
]
