import datetime as dt

import pytest

from trispace.accounts import ratelimit
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError


def test_counts_per_identity_within_a_window(frozen):
    limit = ratelimit.Limit("test", 3, 60)
    assert [limit.hit("a")[0] for _ in range(4)] == [1, 2, 3, 4]
    assert limit.hit("b")[0] == 1
    assert limit.count("a") == 4
    with ktime.travel(dt.timedelta(seconds=60)):
        assert limit.count("a") == 0
        assert limit.hit("a")[0] == 1


def test_reports_the_seconds_left_in_the_window(frozen):
    limit = ratelimit.Limit("test", 3, 900)
    _, left = limit.hit("a")
    assert 0 < left <= 900
    with ktime.travel(dt.timedelta(seconds=10)):
        assert limit.hit("a")[1] == left - 10


def test_undo_and_reset(frozen):
    limit = ratelimit.Limit("test", 3, 60)
    limit.hit("a")
    limit.hit("a")
    limit.undo("a")
    assert limit.count("a") == 1
    limit.reset("a")
    assert limit.count("a") == 0
    limit.undo("never-hit")  # harmless
    assert limit.count("never-hit") == 0


def test_login_attempt_refuses_past_the_setting(frozen, settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 2, "window_s": 600}
    ratelimit.login_attempt(phone="+8613812345678", ip=None)
    ratelimit.login_attempt(phone="+8613812345678", ip=None)
    with pytest.raises(DomainError) as info:
        ratelimit.login_attempt(phone="+8613812345678", ip=None)
    assert info.value.code == "login_rate_limited"
    ratelimit.login_succeeded(phone="+8613812345678", ip=None)
    ratelimit.login_attempt(phone="+8613812345678", ip=None)


def test_the_ip_limit_defaults_to_four_times_the_phone_limit(settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 5, "window_s": 900}
    by_phone, by_ip = ratelimit.login_limits()
    assert (by_phone.attempts, by_ip.attempts, by_ip.window_s) == (5, 20, 900)


def test_client_ip_is_remote_addr_not_a_forwarded_header(rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert ratelimit.client_ip(request) == "10.1.2.3"
