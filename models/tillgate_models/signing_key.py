"""The ed25519 key that signs model releases: loaded from a configured file, never created by a training run.

Creating a signing key is an operator's act, because the edge trusts a key only once an operator pins its
id and public key in the agent config (edge/src/config.ts `model.trustedKeys`):

    .venv/bin/python -m tillgate_models.signing_key create /secure/path/model-signing.ed25519.pem

prints the key id and writes the public key next to the private one (<path>.pub.pem) for that pinning.
The key id is a pure function of the public key (`ed25519-` + 16 hex of sha256 of its raw bytes), so the
edge recomputes it from the pinned PEM and a mislabelled pin is refused.
"""

import argparse
import hashlib
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNING_KEY_ENV = "TG_MODEL_SIGNING_KEY"


class SigningKeyError(Exception):
    """The configured signing key is missing or is not an ed25519 private key."""


def signing_key_path(explicit: str | None = None) -> Path:
    """The configured key file: the explicit argument, else $TG_MODEL_SIGNING_KEY; no default location."""
    value = explicit or os.environ.get(SIGNING_KEY_ENV)
    if not value:
        raise SigningKeyError(
            f"no model signing key configured: pass --signing-key or set {SIGNING_KEY_ENV} to an ed25519 "
            "private key file (create one with `python -m tillgate_models.signing_key create PATH`)"
        )
    return Path(value)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        raise SigningKeyError(
            f"{path}: the model signing key does not exist; an operator creates it with "
            f"`python -m tillgate_models.signing_key create {path}` and pins its id in the edge config"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: the model signing key must be an ed25519 private key")
    return key


def key_id_of(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def create_signing_key(path: Path) -> str:
    """Writes a new private key (mode 0600, refusing to overwrite) and <path>.pub.pem; returns the key id."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    Path(f"{path}.pub.pem").write_bytes(public_pem(key.public_key()))
    return key_id_of(key.public_key())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a new signing key (refuses to overwrite one)")
    create.add_argument("path", type=Path)
    show = commands.add_parser("id", help="print the key id of an existing signing key")
    show.add_argument("path", type=Path)
    args = parser.parse_args()
    try:
        if args.command == "create":
            key_id = create_signing_key(args.path)
            print(f"{key_id}\npublic key: {args.path}.pub.pem (pin both in the edge config model.trustedKeys)")
        else:
            print(key_id_of(load_signing_key(args.path).public_key()))
    except (SigningKeyError, FileExistsError) as error:
        sys.exit(f"signing_key: {error}")


if __name__ == "__main__":
    main()
