"""Staff pages through the test client: signing in as a browser does, with the CSRF token
every form carries."""
import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client, member) -> str:
    """Sign `member` in with the login form; returns the CSRF token of their session."""
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"username": member.username,
                                           "password": member.password, "csrf_token": token})
    assert response.status_code == 303
    return CSRF.search(client.get("/", follow_redirects=True).get_data(as_text=True)).group(1)
