import pytest

from trispace.accounts import phones
from trispace.kernel.errors import DomainError


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678"],
)
def test_common_formats_normalize_to_e164(raw):
    assert phones.normalize(raw) == "+8613812345678"


@pytest.mark.parametrize("raw", ["", "   ", "123", "abc", "1381234567", "2" * 40, "\x00138", None])
def test_invalid_numbers_are_refused_with_a_stable_code(raw):
    with pytest.raises(DomainError) as info:
        phones.normalize(raw)
    assert info.value.code == "phone_invalid"
    assert info.value.field == "phone"


def test_mask_keeps_three_and_four_digits():
    assert phones.mask("+8613812345678") == "138****5678"
    assert phones.national("+8613812345678") == "13812345678"
    assert phones.mask("") == ""


def test_a_foreign_number_keeps_its_country_code():
    assert phones.normalize("+1 650 253 0000") == "+16502530000"
