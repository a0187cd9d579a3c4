"""Write use cases of accounts: one function per whole use case (keyword-only, ``actor`` first).

Each owns its transaction and writes its audit row; the API, the pages and the commands call
these and nothing below them.
"""

from trispace.accounts.services.login import password_login
from trispace.accounts.services.sms_codes import sms_code_send, sms_login
from trispace.accounts.services.users import password_change, user_register, user_update_profile

__all__ = [
    "password_change",
    "password_login",
    "sms_code_send",
    "sms_login",
    "user_register",
    "user_update_profile",
]
