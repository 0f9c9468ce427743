"""The invitation's one-time link: Django's password-reset token, salted apart and valid for
``INVITATION_DAYS``.

The token hashes the person's password and last login (Django's ``_make_hash_value``), so it
stops working the moment a password is set: each link sets a password once.
"""

from typing import cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from people.models import User

DAY_SECONDS = 24 * 60 * 60


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "people.logins.tokens.InvitationTokenGenerator"

    def check_token(self, user: AbstractBaseUser | None, token: str | None) -> bool:
        """Django's check, with the invitation's lifetime instead of ``PASSWORD_RESET_TIMEOUT``."""
        if not (user and token):
            return False
        parts = token.split("-")
        if len(parts) != 2:
            return False
        try:
            timestamp = base36_to_int(parts[0])
        except ValueError:
            return False
        person = cast(User, user)
        genuine = any(
            constant_time_compare(self._make_token_with_timestamp(person, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )
        return genuine and not invitation_token_expired(token)


def invitation_token_expired(token: str) -> bool:
    """Whether ``token``'s time is more than ``INVITATION_DAYS`` ago (or it has no readable time)."""
    try:
        timestamp = base36_to_int(token.split("-")[0])
    except ValueError:
        return True
    age: int = invitation_tokens._num_seconds(invitation_tokens._now()) - timestamp
    days: int = settings.INVITATION_DAYS
    return age > days * DAY_SECONDS


invitation_tokens = InvitationTokenGenerator()
