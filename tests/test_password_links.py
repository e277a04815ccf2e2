"""One-time password links and the last-admin guard, as domain steps and at the command
line (`homeward users reset-link`, `homeward users set-role`)."""
import threading

import pytest

from server.auth import resets, sessions, tokens, users
from server.auth.tokens import hash_token
from server.web.errors import Conflict, InvalidRequest, NotFound
from server.storage.db import connect

NEW_PASSWORD = "a brand new long password"


def test_it_sets_a_password_through_a_link_once(db, staff, config, clock):
    nurse = staff("nurse")
    _user, token, expires_at = resets.issue_reset(db, nurse.username, clock.now())
    assert token.startswith("hwr_") and expires_at == clock.now() + resets.RESET_LIFETIME
    assert resets.check_reset(db, token, clock.now()) == nurse.username
    resets.redeem_reset(db, token, NEW_PASSWORD, config, clock.now())
    assert users.authenticate(db, nurse.username, NEW_PASSWORD, config, clock.now())
    assert users.authenticate(db, nurse.username, nurse.password, config, clock.now()) is None
    with pytest.raises(resets.ResetLinkUnusable):
        resets.redeem_reset(db, token, "yet another long password", config, clock.now())
    assert users.authenticate(db, nurse.username, NEW_PASSWORD, config, clock.now())


def test_it_keeps_only_the_hash_of_a_link(db, staff, clock):
    _user, token, _ = resets.issue_reset(db, staff("nurse").username, clock.now())
    stored = [row["token_hash"] for row in db.query("SELECT token_hash FROM password_resets")]
    assert stored == [hash_token(token)] and token not in stored


def test_it_refuses_a_link_after_a_day(db, staff, config, clock):
    _user, token, _ = resets.issue_reset(db, staff("nurse").username, clock.now())
    clock.advance(hours=23, minutes=59)
    assert resets.check_reset(db, token, clock.now())
    clock.advance(minutes=1)
    with pytest.raises(resets.ResetLinkUnusable):
        resets.redeem_reset(db, token, NEW_PASSWORD, config, clock.now())


def test_it_ends_the_older_link_when_a_newer_one_is_made(db, staff, config, clock):
    nurse = staff("nurse")
    _user, older, _ = resets.issue_reset(db, nurse.username, clock.now())
    _user, newer, _ = resets.issue_reset(db, nurse.username, clock.now())
    with pytest.raises(resets.ResetLinkUnusable):
        resets.check_reset(db, older, clock.now())
    assert resets.redeem_reset(db, newer, NEW_PASSWORD, config, clock.now()).id == nurse.id


def test_it_ends_links_sessions_and_tokens_when_an_account_is_disabled(db, staff, config,
                                                                       clock):
    nurse = staff("nurse")
    session_id, _csrf = sessions.start_session(db, nurse.id, config, clock.now())
    _user, token, _ = resets.issue_reset(db, nurse.username, clock.now())
    users.disable_user(db, nurse.username, clock.now())
    assert sessions.load_session(db, session_id, config, clock.now()) is None
    assert tokens.verify_token(db, nurse.token, clock.now()) is None
    users.enable_user(db, nurse.username, clock.now())
    with pytest.raises(resets.ResetLinkUnusable):
        resets.check_reset(db, token, clock.now())
    users.disable_user(db, nurse.username, clock.now())
    with pytest.raises(Conflict, match="disabled"):
        resets.issue_reset(db, nurse.username, clock.now())


def test_it_ends_the_sessions_and_tokens_of_the_account_whose_password_a_link_sets(
        db, staff, config, clock):
    nurse = staff("nurse")
    session_id, _csrf = sessions.start_session(db, nurse.id, config, clock.now())
    _user, token, _ = resets.issue_reset(db, nurse.username, clock.now())
    resets.redeem_reset(db, token, NEW_PASSWORD, config, clock.now())
    assert sessions.load_session(db, session_id, config, clock.now()) is None
    assert tokens.verify_token(db, nurse.token, clock.now()) is None


def test_it_refuses_a_short_password_and_keeps_the_link(db, staff, config, clock):
    _user, token, _ = resets.issue_reset(db, staff("nurse").username, clock.now())
    with pytest.raises(InvalidRequest):
        resets.redeem_reset(db, token, "short", config, clock.now())
    assert resets.check_reset(db, token, clock.now())


@pytest.mark.parametrize("token", ["", "hws_not-a-reset-link", "hwr_" + "x" * 43, None, 7])
def test_it_refuses_links_it_never_made(db, config, clock, token):
    with pytest.raises(resets.ResetLinkUnusable):
        resets.redeem_reset(db, token, NEW_PASSWORD, config, clock.now())


def test_it_uses_a_link_once_even_when_two_requests_race(db, staff, config, clock):
    _user, token, _ = resets.issue_reset(db, staff("nurse").username, clock.now())
    outcomes, start = [], threading.Barrier(4)

    def redeem(number):
        own = connect(config.database_path)
        start.wait()
        try:
            resets.redeem_reset(own, token, f"racing password number {number}", config,
                                clock.now())
            outcomes.append("set")
        except resets.ResetLinkUnusable:
            outcomes.append("refused")
        finally:
            own.conn.close()

    threads = [threading.Thread(target=redeem, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "set"]


def test_it_refuses_to_disable_or_demote_the_last_active_admin(db, staff, clock):
    admin = staff("admin")
    with pytest.raises(Conflict, match="last active admin"):
        users.disable_user(db, admin.username, clock.now())
    with pytest.raises(Conflict, match="last active admin"):
        users.change_role(db, admin.username, "nurse", clock.now())
    assert users.get_account(db, admin.username)["role"] == "admin"
    second = staff("admin")
    users.disable_user(db, second.username, clock.now())
    with pytest.raises(Conflict):  # a disabled admin is no admin anyone can sign in as
        users.change_role(db, admin.username, "physician", clock.now())
    users.enable_user(db, second.username, clock.now())
    user, before = users.change_role(db, admin.username, "physician", clock.now())
    assert (user.role, before) == ("physician", "admin")


def test_it_changes_a_role_that_applies_at_once_to_the_accounts_tokens(db, staff, clock):
    nurse = staff("nurse")
    users.change_role(db, nurse.username, "psychosocial", clock.now())
    assert tokens.verify_token(db, nurse.token, clock.now()).role == "psychosocial"
    with pytest.raises(InvalidRequest):
        users.change_role(db, nurse.username, "superuser", clock.now())
    with pytest.raises(NotFound):
        users.change_role(db, "nobody", "nurse", clock.now())
