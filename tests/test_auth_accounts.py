"""Staff accounts and their passwords, below the HTTP layer."""
import unicodedata

import pytest

from server.auth import passwords
from server.auth.users import (ROLES, StaffUser, authenticate, create_user, disable_user,
                               enable_user, set_password)
from server.storage.db import connect, migrate
from server.web.errors import Conflict, InvalidRequest, NotFound

GOOD = "correct horse battery staple"


@pytest.fixture
def accounts_db(tmp_path):
    db = connect(tmp_path / "accounts.db")
    migrate(db)
    yield db
    db.conn.close()


def test_it_knows_the_four_clinic_roles():
    assert ROLES == ("nurse", "physician", "psychosocial", "admin")


def test_it_creates_an_account_with_a_lower_cased_name(accounts_db, config, clock):
    user = create_user(accounts_db, "Ann.Lee-2", "physician", GOOD, config, clock.now())
    assert isinstance(user, StaffUser)
    assert user.id.startswith("usr_") and user.username == "ann.lee-2"
    assert user.role == "physician"
    with pytest.raises(AttributeError):
        user.role = "admin"  # frozen


@pytest.mark.parametrize("username", ["ab", "x" * 65, "ann lee", "ann@clinic", "änn", "", None])
def test_it_refuses_a_bad_username(accounts_db, config, clock, username):
    with pytest.raises(InvalidRequest) as refused:
        create_user(accounts_db, username, "nurse", GOOD, config, clock.now())
    assert "username" in refused.value.details["fields"]


@pytest.mark.parametrize("role", ["Nurse", "superuser", "", None])
def test_it_refuses_an_unknown_role(accounts_db, config, clock, role):
    with pytest.raises(InvalidRequest):
        create_user(accounts_db, "ann", role, GOOD, config, clock.now())


@pytest.mark.parametrize("password", ["eleven char", "", "x" * (passwords.MAX_LENGTH + 1)])
def test_it_refuses_a_password_of_the_wrong_length(accounts_db, config, clock, password):
    with pytest.raises(InvalidRequest) as refused:
        create_user(accounts_db, "ann", "nurse", password, config, clock.now())
    assert refused.value.status == 400 and "password" in refused.value.details["fields"]


def test_it_refuses_a_taken_username_whatever_its_case(accounts_db, config, clock):
    create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    with pytest.raises(Conflict) as refused:
        create_user(accounts_db, "ANN", "admin", GOOD, config, clock.now())
    assert refused.value.status == 409


def test_it_stores_an_argon2id_hash_and_never_the_password(accounts_db, config, clock):
    create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    stored = accounts_db.execute("SELECT password_hash FROM staff_users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "m=64,t=1,p=1" in stored
    assert GOOD not in "\n".join(accounts_db.conn.iterdump())


def test_it_authenticates_only_the_right_pair(accounts_db, config, clock):
    user = create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    assert authenticate(accounts_db, "Ann", GOOD, config, clock.now()) == user
    assert authenticate(accounts_db, "ann", GOOD + "!", config, clock.now()) is None
    assert authenticate(accounts_db, "bob", GOOD, config, clock.now()) is None


def test_it_accepts_a_password_typed_in_another_unicode_form(accounts_db, config, clock):
    composed = "café au lait avec du sucre"
    create_user(accounts_db, "ann", "nurse", composed, config, clock.now())
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert authenticate(accounts_db, "ann", decomposed, config, clock.now()) is not None


def test_it_upgrades_an_old_hash_when_the_cost_goes_up(accounts_db, config, clock):
    create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    stronger = config.with_overrides(argon2_time_cost=2)
    assert authenticate(accounts_db, "ann", GOOD, stronger, clock.now()) is not None
    stored = accounts_db.execute("SELECT password_hash FROM staff_users").fetchone()[0]
    assert "t=2" in stored
    assert authenticate(accounts_db, "ann", GOOD, stronger, clock.now()) is not None


def test_it_spends_a_verification_on_unknown_names_too(accounts_db, config, clock,
                                                      monkeypatch):
    verified = []
    real_verify = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password",
                        lambda *args: verified.append(args) or real_verify(*args))
    authenticate(accounts_db, "nobody", GOOD, config, clock.now())
    assert len(verified) == 1


def test_it_refuses_a_disabled_account_until_enabled_again(accounts_db, config, clock):
    create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    disable_user(accounts_db, "ann", clock.now())
    assert authenticate(accounts_db, "ann", GOOD, config, clock.now()) is None
    enable_user(accounts_db, "ann", clock.now())
    assert authenticate(accounts_db, "ann", GOOD, config, clock.now()) is not None


def test_it_sets_a_new_password_under_the_same_rules(accounts_db, config, clock):
    create_user(accounts_db, "ann", "nurse", GOOD, config, clock.now())
    with pytest.raises(InvalidRequest):
        set_password(accounts_db, "ann", "too short", config, clock.now())
    set_password(accounts_db, "ann", "another fine pass phrase", config, clock.now())
    assert authenticate(accounts_db, "ann", GOOD, config, clock.now()) is None
    assert authenticate(accounts_db, "ann", "another fine pass phrase", config,
                        clock.now()) is not None
    with pytest.raises(NotFound):
        set_password(accounts_db, "nobody", "another fine pass phrase", config, clock.now())
