"""`homeward config`: the settings in force, so an installer can see what was understood."""
from dataclasses import fields

from ..config import env_name


def register(subparsers):
    parser = subparsers.add_parser("config", help="print the settings in force")
    parser.set_defaults(run=run)


def run(args, config):
    for spec in fields(config):
        value = getattr(config, spec.name)
        if spec.name == "master_key" and value:
            value = "(set, hidden)"
        print(f"{env_name(spec)}={'' if value is None else value}")
    return 0
