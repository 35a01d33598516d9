"""Password hashes: memory-hard, salted, self-describing, and never verifying anything else."""

from services.gateway.passwords import LOG2_N, hash_password, verify_password


def test_a_password_verifies_against_its_own_hash_only():
    stored = hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)
    assert not verify_password("", stored)


def test_each_hash_is_salted_and_names_its_parameters():
    first, second = hash_password("same words"), hash_password("same words")
    assert first != second
    scheme, log2_n, block_size, parallelism, salt, key = first.split("$")
    assert (scheme, int(log2_n), len(bytes.fromhex(salt)), len(bytes.fromhex(key))) == ("scrypt", LOG2_N, 16, 32)
    assert "same words" not in first


def test_missing_or_malformed_hashes_never_verify():
    for stored in (None, "", "plain text", "md5$abc", "scrypt$15$8$1$zz$zz", "scrypt$x$8$1$00$00"):
        assert not verify_password("anything", stored), stored


def test_a_hash_made_with_other_parameters_still_verifies():
    stored = hash_password("kept from before").split("$")
    from services.gateway.passwords import _scrypt

    salt = bytes.fromhex(stored[4])
    older = "$".join(["scrypt", "14", "8", "1", salt.hex(), _scrypt("kept from before", salt, 14, 8, 1).hex()])
    assert verify_password("kept from before", older)
