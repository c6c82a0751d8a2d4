"""Signed-in test actors: a real account and sign-in session in the gateway's database."""

from datetime import UTC, datetime, timedelta

from chassis.actor import Actor
from gateway.auth import issue_token
from gateway.identity import sessions, store
from gateway.identity.models import Account


def bearer(app, actor: Actor | dict) -> dict:
    """Authorization headers of ``actor``, whose account is made on first use."""
    actor = Actor(**actor) if isinstance(actor, dict) else actor
    with store.transaction(app.config["DATABASE_URL"]) as db:
        account = db.get(Account, actor.id)
        if account is None:
            account = Account(
                id=actor.id,
                login=actor.id.casefold(),
                full_name=f"Test {actor.id}",
                role=actor.role,
                agency=actor.agency,
                person_id=actor.person_id,
                password_hash="!",  # matches no password: this account cannot sign in
            )
            db.add(account)
            db.flush()
        session, _ = sessions.open_session(
            db, account, datetime.now(UTC), timedelta(hours=1), "127.0.0.1"
        )
    return {"Authorization": f"Bearer {issue_token(app.config, actor, session.id)}"}


def web_client(app, actor: Actor | dict):
    """A test client signed in the way the pages are (the token in the cookie), and the
    CSRF token its forms must carry."""
    from gateway.auth import COOKIE, csrf_token, verify_token

    token = bearer(app, actor)["Authorization"].removeprefix("Bearer ")
    client = app.test_client()
    client.set_cookie(COOKIE, token)
    with app.test_request_context():
        return client, csrf_token(verify_token(app.config, token)["sid"])
