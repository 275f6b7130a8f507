"""Masked forms of ID numbers and phones, and text with any such number in it masked (for reports and errors)."""

import re

# 15 or more digits, spaces allowed between them, maybe a final X: an ID number, whole or cut short
_ID_LIKE = re.compile(r"(?<![0-9])[0-9](?: ?[0-9]){14,}(?: ?[Xx])?(?![0-9])")
_MOBILE_LIKE = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")


def mask_id(id_number: str) -> str:
    """Keep the area code and the last four characters: 220102********123X."""
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "****"


def mask_numbers(text: str) -> str:
    """The text with every ID-number-like run of digits and every mobile number masked."""
    text = _ID_LIKE.sub(lambda match: mask_id(match.group().replace(" ", "")), text)
    return _MOBILE_LIKE.sub(lambda match: mask_phone(re.sub(r"[ -]", "", match.group())), text)


def shown(text: str, limit: int = 100) -> str:
    """Text echoed from an upload into a report or message: numbers masked, invisible characters made visible
    as U+XXXX, at most `limit` characters (cut after masking, so no number is cut into an unmasked piece)."""
    text = _UNSEEN.sub(lambda match: f"<U+{ord(match.group()):04X}>", mask_numbers(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"
