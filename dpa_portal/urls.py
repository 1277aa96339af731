from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from audit import urls as audit_urls
from ratings.portal.views import authorizations, documents, evidence, public
from ratings.portal.views import notifications as notification_views

# The auditor workspace (namespace "audit") with the rating request's pages, which ratings serves:
# audit, the bottom layer, knows nothing of requests.
audit_workspace = [
    *audit_urls.urlpatterns,
    path("requests/<str:reference>/", evidence.request_history, name="history"),
    path("requests/<str:reference>/bundle/", evidence.request_bundle, name="bundle"),
]

# Under /api/ an unknown address or a failure is an RFC 9457 problem; elsewhere Django's pages.
handler404 = "ratings.api.problems.page_not_found"
handler500 = "ratings.api.problems.server_error"

urlpatterns = [
    path("", public.home, name="home"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Sign-in, second factor, API tokens, passwords (rate-limited and audited), session pages.
    path("accounts/", include("ratings.accounts.urls")),
    # The admin's own password pages would bypass the audited services.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password-change")),
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("attachments/<int:pk>/download/", documents.attachment_download, name="attachment-download"),
    path(
        "orders/<str:order_number>/v<int:version>/document/",
        documents.order_document_download,
        name="order-document-download",
    ),
    path("verify/", public.verify, name="order-verify"),
    path("verify/<str:order_number>/<str:fingerprint>/", public.verify, name="order-verify-link"),
    path(
        "verify/authorization/<str:number>/<str:fingerprint>/",
        public.verify_authorization,
        name="authorization-verify-link",
    ),
    path(
        "authorizations/<str:number>/document/",
        authorizations.authorization_document_download,
        name="authorization-document-download",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("ratings.api.urls")),
    # --- Portal (manufacturers and suppliers) and password reset by e-mail ---
    path("portal/", include("ratings.portal.urls")),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("audit/", include((audit_workspace, audit_urls.app_name))),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", notification_views.notification_mark_read, name="notification-read"),
    path("notifications/read-all/", notification_views.notification_mark_all_read, name="notification-read-all"),
    path("notifications/preferences/", notification_views.notification_preferences, name="notification-preferences"),
    path(
        "invitations/<str:uidb64>/<str:token>/",
        notification_views.invitation_accept,
        name="invitation-accept",
    ),
]
