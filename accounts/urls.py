"""The login pages (``/accounts/``) and the API's login and tokens (``/api/auth/``)."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from accounts import api_views

pages = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

api = [
    path("login/", api_views.LoginView.as_view(), name="api-login"),
    path("logout/", api_views.LogoutView.as_view(), name="api-logout"),
    path("tokens/", api_views.TokenListView.as_view(), name="api-tokens"),
    re_path(rf"^tokens/(?P<token_id>{api_views.TOKEN_ID_PATTERN})/$", api_views.TokenView.as_view(), name="api-token"),
]
