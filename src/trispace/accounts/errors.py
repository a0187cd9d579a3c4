"""Error codes of ``accounts``."""

from django.utils.translation import gettext_lazy as _

from trispace.kernel.errors import ErrorCode

PHONE_INVALID = ErrorCode("phone_invalid", _("Enter a valid mobile phone number."))
PHONE_TAKEN = ErrorCode("phone_taken", _("This phone number is already registered."), 409)
LOGIN_FAILED = ErrorCode("login_failed", _("Wrong phone number or password."), 401)
LOGIN_RATE_LIMITED = ErrorCode(
    "login_rate_limited", _("Too many login attempts. Try again in {minutes} minutes."), 429
)
SMS_CODE_INVALID = ErrorCode("sms_code_invalid", _("The code is wrong or has expired."), 400)
SMS_TOO_SOON = ErrorCode("sms_too_soon", _("A code was just sent. Wait {seconds} seconds."), 429)
ACCOUNT_DISABLED = ErrorCode("account_disabled", _("This account is disabled."), 403)
TOKEN_INVALID = ErrorCode("token_invalid", _("The API token is invalid or expired."), 401)
NAME_INVALID = ErrorCode("name_invalid", _("Enter a name of 1 to 50 characters."))
PASSWORD_WEAK = ErrorCode("password_weak", _("Choose a stronger password: {reason}"))
PASSWORD_WRONG = ErrorCode("password_wrong", _("The current password is wrong."), 400)
SMS_LIMIT_REACHED = ErrorCode(
    "sms_limit_reached", _("Too many codes requested. Try again in {minutes} minutes."), 429
)
SMS_SEND_FAILED = ErrorCode(
    "sms_send_failed", _("The code could not be sent. Try again in a moment."), 503
)
LANGUAGE_INVALID = ErrorCode("language_invalid", _("Choose one of the offered languages."))
