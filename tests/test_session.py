"""HTTPS to arXiv: the CA bundle the session trusts, and the whole-request deadline on TLS."""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from msgspec.structs import replace

from bot.config import ArxivConfig
from bot.environment import DEFAULT_ARXIV_API_URL, ArxivApi, read_environment
from bot.errors import FetchError
from bot.fetch import ArxivSource
from tests.conftest import record
from tests.fakes.arxiv_server import FakeArxiv, Fault

CONFIG = ArxivConfig(queries=("sparse autoencoder",), delay_seconds=0, max_retries=0)
START, END = date(2026, 11, 1), date(2026, 11, 21)


def certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), False
        )
    )


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A test CA's certificate, and a server certificate for 127.0.0.1 it signed, with its key."""
    folder = tmp_path_factory.mktemp("tls")
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        certificate("test CA", ca_key, ("test CA", ca_key))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        certificate("127.0.0.1", key, ("test CA", ca_key))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture
def https_server(tls_files: tuple[Path, Path, Path]) -> Iterator[FakeArxiv]:
    """The arXiv stand-in behind TLS, serving one hit; its URL is https://127.0.0.1:PORT/..."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_files[1], tls_files[2])
    server = FakeArxiv([record("2611.00001", "Sparse autoencoder study")])
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    with server:
        yield server


def https_url(server: FakeArxiv) -> str:
    return server.url.replace("http://", "https://")


def test_https_trusts_the_ca_file_it_is_given(
    https_server: FakeArxiv, tls_files: tuple[Path, Path, Path]
) -> None:
    api = ArxivApi(https_url(https_server), str(tls_files[0]))
    assert len(ArxivSource(CONFIG, api).fetch(START, END).records) == 1


def test_https_trusts_certifi_by_default_not_any_certificate(https_server: FakeArxiv) -> None:
    with pytest.raises(FetchError, match=r"connection failed \(SSLCertVerificationError\)"):
        ArxivSource(CONFIG, ArxivApi(https_url(https_server))).fetch(START, END)


def test_an_unreadable_ca_file_fails_at_once(https_server: FakeArxiv, tmp_path: Path) -> None:
    api = ArxivApi(https_url(https_server), str(tmp_path / "missing.pem"))
    with pytest.raises(FetchError, match=r"cannot use the CA certificates in .*missing\.pem"):
        ArxivSource(replace(CONFIG, max_retries=3), api).fetch(START, END)
    assert https_server.requests == []


def test_a_slow_drip_over_tls_ends_at_the_whole_request_deadline(
    https_server: FakeArxiv, tls_files: tuple[Path, Path, Path]
) -> None:
    https_server.script(Fault(drip=0.02))  # a byte every 20 ms: no read ever times out
    api = ArxivApi(https_url(https_server), str(tls_files[0]))
    started = time.monotonic()
    with pytest.raises(FetchError, match="request timed out"):
        ArxivSource(replace(CONFIG, timeout_seconds=0.3), api).fetch(START, END)
    assert time.monotonic() - started < 5  # the whole answer drips for tens of seconds


def test_the_ca_file_comes_from_requests_variables_then_ssl_cert_file() -> None:
    assert read_environment({}).arxiv_api == ArxivApi(DEFAULT_ARXIV_API_URL, "")
    variables = {"SSL_CERT_FILE": "/etc/ssl.pem", "ARXIV_API_URL": "http://127.0.0.1:1/q"}
    assert read_environment(variables).arxiv_api == ArxivApi("http://127.0.0.1:1/q", "/etc/ssl.pem")
    variables |= {"REQUESTS_CA_BUNDLE": "/corp/ca.pem"}
    assert read_environment(variables).arxiv_api.ca_file == "/corp/ca.pem"
