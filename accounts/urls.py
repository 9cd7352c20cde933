"""The login pages (``/accounts/``) and the API's login and tokens (``/api/auth/``).

The password-reset pages are routed only when mail is configured (EMAIL_HOST).
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from accounts import api_views

RESET_MAIL = {
    "email_template_name": "registration/password_reset_email.txt",
    "subject_template_name": "registration/password_reset_subject.txt",
}

pages = [
    path(
        "login/",
        auth_views.LoginView.as_view(extra_context={"password_reset": settings.PASSWORD_RESET_ENABLED}),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
if settings.PASSWORD_RESET_ENABLED:
    pages += [
        path("password_reset/", auth_views.PasswordResetView.as_view(**RESET_MAIL), name="password_reset"),
        path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
        path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ]

api = [
    path("login/", api_views.LoginView.as_view(), name="api-login"),
    path("logout/", api_views.LogoutView.as_view(), name="api-logout"),
    path("tokens/", api_views.TokenListView.as_view(), name="api-tokens"),
    re_path(rf"^tokens/(?P<token_id>{api_views.TOKEN_ID_PATTERN})/$", api_views.TokenView.as_view(), name="api-token"),
]
