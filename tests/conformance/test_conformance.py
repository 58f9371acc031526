"""The official MCP conformance suite (npx @modelcontextprotocol/conformance) on both wire
revisions; known failures and their reasons are in expected-failures.yml."""

import pytest

from tests.conformance.run import REAL_SCENARIOS, REVISIONS, run_fixture, run_real
from tests.server.node import node22_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_papershelf_server_passes_the_generic_scenarios(revision):
    assert run_real(revision, node22_env()) == [], REAL_SCENARIOS[revision]


@pytest.mark.parametrize("revision", REVISIONS)
def test_the_fixture_server_passes_the_fixture_scenarios(revision):
    assert run_fixture(revision, node22_env()) == []
