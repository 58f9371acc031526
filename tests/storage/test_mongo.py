"""The MongoDB store on a real wire-protocol server (SecantusDB): the Store contract and vector
contract, as the SQLite store passes them."""

import pytest

from papershelf.storage.mongo import MongoStore
from tests.storage.contract import StoreContract
from tests.storage.vector_contract import VectorStoreContract


@pytest.fixture
def store(mongo_store: MongoStore) -> MongoStore:
    return mongo_store


class TestMongoStoreContract(StoreContract):
    pass


class TestMongoVectorContract(VectorStoreContract):
    pass
