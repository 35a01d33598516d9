"""Free-mail providers: their domains never name or match a company. Shared by the email channel
(which must not call gmail.com a company) and profile's matching, as plugins/ is what both see."""

from pathlib import Path

FREE_MAIL_DOMAINS = frozenset(
    line.strip()
    for line in Path(__file__).with_name("free_mail_domains.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)
