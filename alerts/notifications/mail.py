"""The email channel (smtplib): one message per notification, to the ward list plus whoever
is on call at the moment of sending.

Which failures are worth retrying, by the stage they happen at:

- connecting, greeting, EHLO, STARTTLS, TLS and login: always retryable, 5xx included. They
  say nothing about this message; they are a relay that is down, restarting or refusing us,
  or a password or certificate an administrator can fix before the attempts run out.
- the message itself (MAIL FROM, RCPT TO, DATA): 4xx is retryable, 5xx permanent (the
  relay refuses this sender, these recipients or this content, and will again), except
  the authentication replies 530/534/535/538, which are a configuration problem again.
- a dropped connection or a timeout at any stage: retryable.

Every message carries its idempotency key (`X-Homeward-Idempotency-Key`, and a Message-ID
derived from it), so a resend after a dispatcher died mid-send is recognisable.
"""
import hashlib
import smtplib
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from .channels import DeliveryError, on_call_now, scrub
from .payload import subject, text_body

SECURITY_MODES = ("starttls", "tls", "none")
AUTH_CODES = {530, 534, 535, 538}


class EmailChannel:
    def __init__(self, name, *, host, port, security, from_address, to=(), on_call=(),
                 zone=timezone.utc, username=None, password=None, timeout=10.0, ca_file=None,
                 detail="minimal"):
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}")
        self.name, self.detail = name, detail
        self.host, self.port, self.security = host, port, security
        self.from_address, self.to = from_address, tuple(to)
        self.on_call, self.zone = tuple(on_call), zone
        self.username, self._password = username, password
        self.timeout, self.ca_file = timeout, ca_file

    def recipients(self, moment: datetime) -> list[str]:
        chosen = list(self.to) + list(on_call_now(self.on_call, self.zone, moment))
        return list(dict.fromkeys(chosen))

    def message(self, notification, recipients) -> EmailMessage:
        payload, key = notification.payload, notification.idempotency_key
        moment = notification.attempt_at or datetime.now(timezone.utc)
        domain = self.from_address.rpartition("@")[2] or "homeward.invalid"
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject(payload)
        message["Date"] = format_datetime(moment.astimezone(timezone.utc))
        # The same key gives the same Message-ID on every resend; the key itself may hold
        # characters a Message-ID may not, so the ID carries its digest (128 bits, short
        # enough that the header is not folded onto a second line).
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        message["Message-ID"] = f"<homeward.{digest}@{domain}>"
        message["X-Homeward-Idempotency-Key"] = key
        message["X-Homeward-Level"] = str(payload.get("level", ""))
        message["X-Homeward-Kind"] = notification.kind
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
        message.set_content(text_body(payload))
        return message

    def _context(self):
        return ssl.create_default_context(cafile=self.ca_file)

    def _open(self):
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self._context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, notification) -> str | None:
        """None when delivered, or a note for the history (delivered with a caveat)."""
        moment = notification.attempt_at or datetime.now(timezone.utc)
        recipients = self.recipients(moment)
        if not recipients:
            # Loading refuses a rota with gaps, so this means the clock or zone is odd.
            raise DeliveryError(f"nobody is on call for {self.name} at {moment.isoformat()}",
                                retryable=True)
        message = self.message(notification, recipients)
        stage = "connect"
        smtp = None
        try:
            smtp = self._open()
            stage = "EHLO"
            smtp.ehlo()
            if self.security == "starttls":
                stage = "STARTTLS"
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.username:
                stage = "login"
                smtp.login(self.username, self._password or "")
            stage = "message"
            refused = smtp.send_message(message, from_addr=self.from_address,
                                        to_addrs=recipients)
            stage = "sent"
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise DeliveryError(
                self._clean(f"SMTP refused every recipient: {_describe(error.recipients)}"),
                retryable=any(code < 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode(errors="replace") if isinstance(
                error.smtp_error, bytes) else str(error.smtp_error)
            retryable = (stage != "message" or error.smtp_code < 500
                         or error.smtp_code in AUTH_CODES)
            raise DeliveryError(self._clean(f"SMTP {stage} to {self.host}:{self.port}: "
                                            f"{error.smtp_code} {text}"), retryable) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(self._clean(f"SMTP {stage} to {self.host}:{self.port}: "
                                            f"{type(error).__name__}: {error}"), True) from None
        finally:
            if smtp is not None:
                _hang_up(smtp, politely=stage == "sent")
        if refused:
            # Some recipients have it: a resend would duplicate for them, so this counts as
            # delivered, and the note naming the refused addresses goes into the history.
            return self._clean(f"sent; refused by the relay: {_describe(refused)}")
        return None

    def _clean(self, text):
        return scrub(text, [self._password])


def _hang_up(smtp, politely):
    # Once the relay has taken the message, a QUIT that times out must not turn a delivery
    # into a "retry" and a duplicate; on failure there is nothing left to say politely.
    try:
        if politely:
            smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()


def _describe(refused: dict) -> str:
    return "; ".join(f"{address} ({code})" for address, (code, _text) in refused.items())
