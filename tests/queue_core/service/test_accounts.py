"""Device tokens the box gives itself: replaced at each start, audited like any other."""

from __future__ import annotations

from queue_core.domain.clock import FakeClock
from queue_core.service import accounts, audit, auth
from queue_core.storage import Store


def test_replacing_a_token_revokes_the_old_one_and_audits_both(store: Store,
                                                               clock: FakeClock) -> None:
    first = accounts.replace_token(store, "announcer@serve", role="announcer",
                                   actor="system:serve", now=clock.now())
    assert auth.token_principal(store, first) is not None
    clock.advance(minutes=1)
    second = accounts.replace_token(store, "announcer@serve", role="announcer",
                                    actor="system:serve", now=clock.now())
    assert auth.token_principal(store, first) is None               # refused from now on
    principal = auth.token_principal(store, second)
    assert principal is not None and principal.may("announcer")
    assert [t["name"] for t in accounts.tokens(store)] == ["announcer@serve"]
    trail = [(e["actor"], e["action"]) for e in audit.entries(store)]
    assert trail.count(("system:serve", "token_created")) == 2
    assert trail.count(("system:serve", accounts.TOKEN_REVOKED)) == 1
