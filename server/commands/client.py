"""`homeward client enrol|record|sync|status`: the reference app client from a terminal.

For mobile teams learning the protocol, for smoke tests of a deployment, and for scripts
that play a family's phone. The state (enrolment, outbox, pulled items) lives in one SQLite
file, `--state`, kept apart from the server's data folder: it is the phone, not the server.

Exit status: 0 done; 1 failed (the message says whether trying again later can help);
3 this device must be enrolled again (revoked by staff, or its token is unknown).
"""
import argparse
import json
import sys

from sync.client import (AlreadyEnrolled, Client, EntryError, KeySetError, NotEnrolled,
                         StateFileError, TransportError, read_enrolment_uri)

NEEDS_ENROLMENT = 3


def register(subparsers):
    parser = subparsers.add_parser(
        "client", help="the reference app client: enrol a device, record entries, sync",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--state", default="homeward-client.db",
                        help="the client's state file (default: %(default)s)")
    common.add_argument("--server", help="server address, e.g. http://127.0.0.1:8000 "
                                         "(default: the one enrolled with)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    enrol = actions.add_parser("enrol", parents=[common], help="enrol with a code from staff")
    enrol.add_argument("code", help="the one-time enrolment code, or what its QR code holds "
                                    "(homeward:enrol?server=...&code=...)")
    enrol.add_argument("--name", default="homeward client", help="device name staff see")
    enrol.add_argument("--platform", default="other", choices=("ios", "android", "web", "other"))
    enrol.set_defaults(run=run_enrol)

    record = actions.add_parser("record", parents=[common],
                                help="seal an entry into the outbox (works offline)")
    record.add_argument("questionnaire_id")
    record.add_argument("questionnaire_version")
    answers = record.add_mutually_exclusive_group(required=True)
    answers.add_argument("--answers", help='answers as JSON, e.g. \'{"temperature_c": 38.6}\'')
    answers.add_argument("--answers-stdin", action="store_true",
                         help="read the answers JSON from standard input (keeps them out of "
                              "the shell history)")
    record.add_argument("--task", dest="task_id")
    record.add_argument("--supersedes", help="entry id this entry corrects")
    record.add_argument("--respondent", choices=("caregiver", "patient"))
    record.add_argument("--recorded-at", help="RFC 3339 time with offset (default: now)")
    record.set_defaults(run=run_record)

    sync = actions.add_parser("sync", parents=[common], help="push the outbox, pull changes")
    sync.add_argument("--limit", type=int, default=200, help="changes per pull page (1-500)")
    sync.set_defaults(run=run_sync)

    status = actions.add_parser("status", parents=[common], help="what the phone holds")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(run=run_status)


def with_client(action):
    """Opens the client for the action; turns the client's errors into a sentence."""
    def run(args, config):
        try:
            with Client(args.state, server_url=args.server) as client:
                return action(client, args)
        except (NotEnrolled, AlreadyEnrolled, EntryError, KeySetError, StateFileError,
                TransportError, ValueError) as error:
            print(f"homeward client: {error}", file=sys.stderr)
            if getattr(error, "status", None) == 401:
                return NEEDS_ENROLMENT
            return 1
    return run


@with_client
def run_enrol(client, args):
    server_url, code = args.server, args.code
    if code.startswith("homeward:"):
        server_url, code = read_enrolment_uri(code)
        server_url = args.server or server_url
    if not server_url:
        raise NotEnrolled("Give the server address with --server.")
    enrolled = client.enrol(server_url, code, args.name, platform=args.platform)
    print(f"Enrolled as {enrolled['device_id']} for patient {enrolled['patient_id']} "
          f"({enrolled['respondent']}).")
    return 0


@with_client
def run_record(client, args):
    text = sys.stdin.read() if args.answers_stdin else args.answers
    try:
        answers = json.loads(text)
    except ValueError:
        raise EntryError("The answers are not valid JSON.") from None
    entry_id = client.record(args.questionnaire_id, args.questionnaire_version, answers,
                             respondent=args.respondent, task_id=args.task_id,
                             supersedes=args.supersedes, recorded_at=args.recorded_at)
    print(entry_id)
    for finding in client.advise(args.questionnaire_id, answers):
        print(f"{finding['level'].upper()}: {finding['advice']}")
    return 0


@with_client
def run_sync(client, args):
    report = client.sync(pull_limit=args.limit)
    pushed = ", ".join(f"{count} {status}" for status, count in sorted(report.pushed.items()))
    print(f"Pushed: {pushed or 'nothing'}. Pulled {report.changes_applied} change(s) in "
          f"{report.pages} page(s). Outbox: {report.outbox_left}.")
    for alert in report.alerts:
        print(f"Alert {alert['alert_id']} ({alert['level']}) raised by {alert['entry_id']}.")
    for rejected in report.rejected:
        print(f"Rejected {rejected['entry_id']}: {rejected['code']}: {rejected['message']}")
    if report.error:
        again = "trying again later can help" if report.error["retryable"] else \
            "trying again will not help by itself"
        print(f"homeward client: sync stopped: {report.error['message']} ({again}).",
              file=sys.stderr)
        return NEEDS_ENROLMENT if report.needs_enrolment else 1
    return 0


@with_client
def run_status(client, args):
    status = client.status()
    if args.json:
        print(json.dumps(status, indent=2, ensure_ascii=False))
        return 0
    if not status["enrolled"]:
        print("Not enrolled.")
        return 0
    print(f"Device {status['device_id']}, patient {status['patient_id']} "
          f"({status['respondent']}), server {status['server_url']}.")
    if status["needs_enrolment"]:
        print("This device must be enrolled again; its outbox is kept.")
    print(f"Outbox: {status['outbox']} ({len(status['rejected'])} rejected). "
          f"Last sync: {status['last_sync_at'] or 'never'}. "
          f"Cursor: {'yes' if status['cursor'] else 'none (next pull is a full snapshot)'}.")
    counts = ", ".join(f"{count} {kind}" for kind, count in status["items"].items())
    print(f"Items: {counts or 'none'}.")
    for rejected in status["rejected"]:
        print(f"  rejected {rejected['entry_id']} ({rejected['questionnaire_id']}, "
              f"{rejected['recorded_at']}): {rejected['code']}")
    for alert in status["open_alerts"]:
        print(f"  alert {alert['alert_id']} {alert['level']} {alert['status']}: "
              f"{alert['message'] or '(no message from the care team yet)'}")
    return 0
