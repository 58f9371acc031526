"""MongoDB URIs as text: passwords never shown, one server however it is spelled."""

from papershelf.storage.mongo_uri import redact, server_identity


def test_spellings_of_one_server_have_one_identity() -> None:
    assert (
        server_identity("mongodb://LOCALHOST/?w=1&appname=x")
        == server_identity("mongodb://u:p@127.0.0.1:27017/admin?appName=x&w=1")
        == "mongodb://127.0.0.1:27017/"
    )
    assert server_identity("mongodb://b:1,A:2/") == server_identity("mongodb://a:2,b:1")


def test_other_servers_keep_other_identities() -> None:
    assert server_identity("mongodb://db1/") != server_identity("mongodb://db2/")
    assert server_identity("mongodb://db1:27017/") != server_identity("mongodb://db1:27018/")


def test_a_password_is_hidden_wherever_the_uri_is_shown() -> None:
    assert (
        redact("mongodb://lab:s3cret@db:27017/?tls=true") == "mongodb://lab:***@db:27017/?tls=true"
    )
    assert redact("mongodb+srv://lab@db/") == "mongodb+srv://lab@db/"
