"""Logins: who gets in (lockout after failed passwords) and the audit of every access."""
