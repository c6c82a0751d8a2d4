"""Operators' commands on the gateway's identity database.

    python -m gateway.identity create-staff --username admin --full-name "Admin MPP" \\
        --role mall_admin

The password is read from MPP_PASSWORD, or asked for twice on the terminal. The first mall
administrator is made this way; after that, administrators create staff through the API.
An agency role's agency is checked against the catalog's agencies (the mall must run).
"""

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

from marshmallow import ValidationError

from chassis.actor import MALL_ADMIN, Actor
from chassis.config import config_path, load_config
from chassis.errors import MallError
from chassis.rpc_client import RemoteError, RpcClient, RpcTimeout
from gateway.identity import accounts, passwords, store
from gateway.identity.schemas import NewStaff

OPERATOR = Actor(id="operator", role=MALL_ADMIN)


def read_password() -> str:
    if os.environ.get("MPP_PASSWORD"):
        return os.environ["MPP_PASSWORD"]
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        sys.exit("the two passwords differ")
    return first


def catalog_agencies(config: dict) -> accounts.Agencies:
    """The catalog's agency codes, asked only when an agency role's agency is checked."""

    def ask() -> list[str]:
        client = RpcClient(config["AMQP_URI"], timeout=float(config["RPC_TIMEOUT"]))
        try:
            return [agency["code"] for agency in client.call("catalog", "list_agencies")]
        finally:
            client.close()

    return ask


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway.identity", description=__doc__)
    parser.add_argument("action", choices=["create-staff"])
    parser.add_argument("--username", required=True)
    parser.add_argument("--full-name", required=True)
    parser.add_argument("--role", required=True)
    parser.add_argument("--agency")
    parser.add_argument("--config", help="gateway YAML (default: config/gateway.yaml)")
    args = parser.parse_args(argv)
    config = load_config(args.config or config_path("gateway"))
    data = {
        "username": args.username,
        "full_name": args.full_name,
        "role": args.role,
        "agency": args.agency,
        "password": read_password(),
    }
    try:
        data = NewStaff().load(data)
        if problems := passwords.weaknesses(data["password"], data["username"]):
            raise ValidationError({"password": problems})
        password_hash = passwords.hasher(config).hash(data["password"])
        agencies = catalog_agencies(config)
        with store.transaction(config["DATABASE_URL"]) as db:
            account = accounts.add_staff(
                db, OPERATOR, data, password_hash, datetime.now(UTC), agencies
            )
    except (RpcTimeout, RemoteError) as err:
        sys.exit(f"not created: the catalog did not answer ({err}); is the mall running?")
    except ValidationError as err:
        sys.exit(f"not created: {err.messages}")
    except MallError as err:
        sys.exit(f"not created: {err.message} {err.fields or ''}".strip())
    print(f"created {account.role} {account.login} ({account.agency}), id {account.id}")


if __name__ == "__main__":
    main()
