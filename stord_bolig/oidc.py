"""OpenID Connect login for staff (Entra ID, Ansattporten): links to existing users by email.

Users are not created from a token unless OIDC_CREATE_USER is on; roles are always assigned in
admin. The identity provider's own MFA counts as the second factor when its token says so (amr).
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Signs staff in through the municipality's identity provider; grants no permissions of its own
    (CachedModelBackend answers for permissions, whichever backend signed the user in)."""

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        amr = payload.get("amr") or []
        if user is not None and self.request is not None and ("mfa" in amr or "otp" in amr):
            self.request.session["oidc_mfa"] = True
        return user
