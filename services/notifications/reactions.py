"""What the mall's facts tell people: one handler per event, each creating the
notifications of that event once (``idempotent``, and a unique key per event, kind and
recipient behind it).

Events that name only an application, a booking or a bill are matched to the person by
what the event that created it told (``known_*`` tables), never by asking back."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

import contracts.gateway_accounts  # noqa: F401  (registers the record reads digest)
import contracts.regional_tax  # noqa: F401  (registers the bill events)
from chassis.events import event_handler, idempotent
from contracts import modules
from services.notifications import domain, texts
from services.notifications.models import (
    Delivery,
    KnownApplication,
    KnownBill,
    KnownBooking,
    Notification,
    Recipient,
)

VERIFY_PATH = "/verify"  # the gateway's public check of a permit or certificate
RECORD_READS_PATH = "/my-record"  # the portal's page of who read her record
DECIDED = {"revision_requested", "approved", "rejected"}


class Telling:
    """Creating a notification and its deliveries, in the handler's transaction."""

    def _tell_person(
        self, event: dict, kind: str, person_id: str, values: dict, link=None, essential=True
    ) -> Notification | None:
        recipient = self.db.get(Recipient, person_id)
        settings = domain.settings_of(recipient)
        notification = self._tell(
            event, kind, domain.PERSON, person_id, settings["language"], values, link, essential
        )
        if notification is not None:
            for channel, address in domain.addresses(settings, essential):
                self.db.add(
                    Delivery(
                        notification_id=notification.id,
                        channel=channel,
                        address=address,
                        next_attempt_at=self.clock(),
                        created_at=self.clock(),
                    )
                )
        return notification

    def _tell_agency(self, event: dict, kind: str, agency: str, values: dict, link=None):
        # staff read their inbox in the pages; it is written in the mall's language
        return self._tell(event, kind, domain.AGENCY, agency, "id", values, link, True)

    def _tell(self, event, kind, recipient_kind, recipient_id, language, values, link, essential):
        key = (event["event_id"], kind, recipient_kind, recipient_id)
        told = self.db.scalar(
            select(Notification.id).where(
                Notification.event_id == key[0],
                Notification.kind == key[1],
                Notification.recipient_kind == key[2],
                Notification.recipient_id == key[3],
            )
        )
        if told is not None:  # the same event again, after its inbox row was pruned
            return None
        subject, body = texts.render(kind, language, **values)
        notification = Notification(
            event_id=key[0],
            kind=kind,
            recipient_kind=recipient_kind,
            recipient_id=recipient_id,
            language=language,
            subject=subject[:300],
            body=body,
            link=link,
            essential=essential,
            created_at=self.clock(),
        )
        self.db.add(notification)
        self.db.flush()  # a concurrent twin fails here on the unique key, and is retried
        return notification

    def _public_url(self, path: str) -> str:
        base = str(self.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000")
        return base.rstrip("/") + path


class Reactions(Telling):
    """Event handlers of ``NotificationsService``."""

    # --- licensing ----------------------------------------------------------------------

    @event_handler("licensing", "application_submitted")
    @idempotent
    def on_application_submitted(self, event: dict) -> None:
        """The agency's inbox gets the application to verify; its applicant, a receipt."""
        data = event["data"]
        due = datetime.fromisoformat(data["due_at"])
        values = {"permit_type": data["permit_type"], "agency": data["agency"], "due": due}
        link = f"/office/applications/{data['application_id']}"
        self._tell_agency(event, "application_assigned", data["agency"], values, link)
        if applicant := data.get("applicant_id"):
            self._remember_application("licensing", data["application_id"], applicant, data)
            self._tell_person(
                event,
                "application_submitted",
                applicant,
                values,
                f"/applications/{data['application_id']}",
            )

    @event_handler("licensing", "application_status_changed")
    @idempotent
    def on_application_status_changed(self, event: dict) -> None:
        """A revision asked for (with the officer's note), an approval, a rejection."""
        data = event["data"]
        if data["status"] not in DECIDED:
            return  # the other steps are the applicant's own, or told by permit_issued
        known = self.db.get(KnownApplication, ("licensing", data["application_id"]))
        applicant = data.get("applicant_id") or (known.person_id if known else None)
        if applicant is None:
            return  # an event of before applicant_id, of an application never seen
        kind = {
            "revision_requested": "revision_requested",
            "approved": "application_approved",
            "rejected": "application_rejected",
        }[data["status"]]
        name = known.service if known and known.service else domain.short_id(data["application_id"])
        values = {"application": name, "note": data.get("reason") or ""}
        self._tell_person(event, kind, applicant, values, f"/applications/{data['application_id']}")

    @event_handler("licensing", "application_overdue")
    @idempotent
    def on_application_overdue(self, event: dict) -> None:
        """An application past its service level: its agency's inbox is told."""
        data = event["data"]
        known = self.db.get(KnownApplication, ("licensing", data["application_id"]))
        name = known.service if known and known.service else domain.short_id(data["application_id"])
        values = {"application": name, "due": datetime.fromisoformat(data["due_at"])}
        link = f"/office/applications/{data['application_id']}"
        self._tell_agency(event, "application_overdue", data["agency"], values, link)

    @event_handler("licensing", "fee_due")
    @idempotent
    def on_fee_due(self, event: dict) -> None:
        """An approved application waits for its fee: how much, and where to pay it."""
        data = event["data"]
        self._tell_fee(event, "payment_due", data, agency=data["agency"])

    @event_handler("licensing", "fee_paid")
    @idempotent
    def on_fee_paid(self, event: dict) -> None:
        data = event["data"]
        paid_at = datetime.fromisoformat(data["paid_at"])
        self._tell_fee(
            event, "payment_received", data, receipt=data["receipt_reference"], paid_at=paid_at
        )

    def _tell_fee(self, event: dict, kind: str, data: dict, **values) -> None:
        applicant = data["applicant_id"]
        language = domain.settings_of(self.db.get(Recipient, applicant))["language"]
        values.update(
            permit_type=data["permit_type"], amount=texts.rupiah(data["amount"], language)
        )
        self._tell_person(event, kind, applicant, values, f"/applications/{data['application_id']}")

    @event_handler("licensing", "permit_issued")
    @idempotent
    def on_permit_issued(self, event: dict) -> None:
        """The holder gets the number and the address where anyone checks it."""
        data = event["data"]
        valid_until = data.get("valid_until")
        verify_url = self._public_url(f"{VERIFY_PATH}?number={data['number']}")
        values = {
            "number": data["number"],
            "permit_type": data["permit_type"],
            "valid_until": date.fromisoformat(valid_until) if valid_until else None,
            "verify_url": verify_url,
        }
        self._tell_person(event, "permit_issued", data["holder_id"], values, verify_url)
        if values["valid_until"]:
            self._schedule_expiry(data, values["valid_until"])

    @event_handler("licensing", "permit_expiring")
    @idempotent
    def on_permit_expiring(self, event: dict) -> None:
        """Licensing's own warning before a permit's end: the reminders 30, 7 and 1 days
        before tell it (scheduled here too for a permit issued before this service
        listened; those already scheduled stay as they are)."""
        data = event["data"]
        self._schedule_expiry(data, date.fromisoformat(data["valid_until"]))

    def _schedule_expiry(self, data: dict, valid_until: date) -> None:
        values = {"number": data["number"], "valid_until": valid_until}
        for when, due_at, _days in domain.days_before(valid_until):
            self._schedule(
                f"permit:{data['permit_id']}",
                when,
                due_at,
                "permit_expiring",
                data["holder_id"],
                values,
                "/documents",
            )

    @event_handler("licensing", "permit_revoked")
    @idempotent
    def on_permit_revoked(self, event: dict) -> None:
        """A revoked permit expires no more: its reminders go."""
        self._cancel_reminders(f"permit:{event['data']['permit_id']}")

    @event_handler("licensing", "permit_suspended")
    @idempotent
    def on_permit_suspended(self, event: dict) -> None:
        self._cancel_reminders(f"permit:{event['data']['permit_id']}")

    @event_handler("licensing", "permit_expired")
    @idempotent
    def on_permit_expired(self, event: dict) -> None:
        data = event["data"]
        self._cancel_reminders(f"permit:{data['permit_id']}")  # any left are too late
        self._tell_person(
            event, "permit_expired", data["holder_id"], {"number": data["number"]}, "/documents"
        )

    # --- the queue ----------------------------------------------------------------------

    @event_handler("queue", "booking_created")
    @idempotent
    def on_booking_created(self, event: dict) -> None:
        data = event["data"]
        starts_at = datetime.fromisoformat(data["starts_at"])
        if self.db.get(KnownBooking, data["booking_id"]) is None:
            self.db.add(
                KnownBooking(
                    booking_id=data["booking_id"],
                    person_id=data["person_id"],
                    service_code=data["service_code"],
                    service_names=data.get("service_name"),
                    starts_at=starts_at,
                )
            )
        values = {"service": data.get("service_name") or data["service_code"], "starts": starts_at}
        self._tell_person(
            event, "booking_created", data["person_id"], values, "/visits", essential=False
        )
        for when, due_at in domain.booking_reminders(starts_at):
            self._schedule(
                f"booking:{data['booking_id']}",
                when,
                due_at,
                "booking_reminder",
                data["person_id"],
                {**values, "day_before": when == "day_before"},
                "/visits",
            )

    @event_handler("queue", "booking_rescheduled")
    @idempotent
    def on_booking_rescheduled(self, event: dict) -> None:
        """A booking moved: she is told the new time and its reminders move with it (one
        whose new moment has passed is cancelled)."""
        data = event["data"]
        starts_at = datetime.fromisoformat(data["starts_at"])
        booking = self.db.get(KnownBooking, data["booking_id"])
        if booking is None:
            booking = KnownBooking(
                booking_id=data["booking_id"],
                person_id=data["person_id"],
                service_code=data["service_code"],
                starts_at=starts_at,
            )
            self.db.add(booking)
        booking.starts_at = starts_at
        booking.service_names = data.get("service_name") or booking.service_names
        values = {"service": booking.service_names or booking.service_code, "starts": starts_at}
        self._tell_person(event, "booking_rescheduled", data["person_id"], values, "/visits")
        for when, due_at in domain.booking_reminders(starts_at):
            self._move_reminder(
                f"booking:{data['booking_id']}:{when}",
                due_at,
                {**values, "day_before": when == "day_before"},
            )

    @event_handler("queue", "booking_cancelled")
    @idempotent
    def on_booking_cancelled(self, event: dict) -> None:
        booking = self.db.get(KnownBooking, event["data"]["booking_id"])
        if booking is None:
            return  # made before this service listened: nobody to tell
        booking.cancelled = True
        self._cancel_reminders(f"booking:{booking.booking_id}")
        values = {
            "service": booking.service_names or booking.service_code,
            "starts": booking.starts_at,
            "closed_day": event["data"].get("closed_day"),  # why, when the mall closed
        }
        self._tell_person(event, "booking_cancelled", booking.person_id, values, "/visits")

    @event_handler("queue", "turn_near")
    @idempotent
    def on_turn_near(self, event: dict) -> None:
        """Her walk-in ticket is near the front of its line: she is told, once a ticket."""
        data = event["data"]
        # a ticket requeued behind a released counter comes back to the same place with a
        # new event: keyed by the ticket, not the event, she is told of it once
        once = {**event, "event_id": f"turn_near:{data['ticket_id']}"}
        values = {
            "label": data["label"],
            "service": data.get("service_name") or data["service_code"],
            "position": data["position"],
        }
        link = f"/tickets/{data['ticket_id']}"  # her ticket's page in the portal
        self._tell_person(once, "turn_near", data["person_id"], values, link, essential=False)

    # --- the civil registry -------------------------------------------------------------

    @event_handler("civil_registry", "birth_registered")
    @idempotent
    def on_birth_registered(self, event: dict) -> None:
        """The mother is told the birth certificate's number."""
        data = event["data"]
        number = data.get("certificate_number")
        if data.get("mother_id") and number:
            self._tell_person(
                event, "certificate_issued", data["mother_id"], {"number": number}, "/my-record"
            )

    @event_handler("civil_registry", "marriage_registered")
    @idempotent
    def on_marriage_registered(self, event: dict) -> None:
        """Each spouse is told the marriage certificate's number."""
        data = event["data"]
        if number := data.get("certificate_number"):
            values = {"number": number, "married_on": date.fromisoformat(data["married_on"])}
            for spouse in data["spouse_ids"]:
                self._tell_person(
                    event, "marriage_certificate_issued", spouse, values, "/my-record"
                )

    # --- regional tax -------------------------------------------------------------------

    @event_handler("regional_tax", "bill_issued")
    @idempotent
    def on_bill_issued(self, event: dict) -> None:
        data = event["data"]
        bill = self.db.get(KnownBill, data["bill_id"])
        if bill is None:
            bill = KnownBill(
                bill_id=data["bill_id"],
                person_id=data["person_id"],
                tax_kind=data["tax_kind"],
                object=data["object"],
                district=data["district"],
                amount=data["amount"],
                due_on=date.fromisoformat(data["due_on"]),
            )
            self.db.add(bill)
        self._tell_bill(event, "bill_issued", bill)
        values = {
            "tax_kind": bill.tax_kind,
            "object": bill.object,
            "district": bill.district,
            "amount": bill.amount,  # rupiah, written in her language when sent
            "due_on": bill.due_on,
        }
        subject = f"bill:{bill.bill_id}"
        for when, due_at, _days in domain.days_before(bill.due_on):
            self._schedule(subject, when, due_at, "bill_reminder", bill.person_id, values)
        self._schedule(
            subject,
            "overdue",
            domain.day_after(bill.due_on),
            "bill_overdue",
            bill.person_id,
            values,
            essential=True,
            even_if_past=True,  # a bill loaded after its due day is overdue at once
        )

    @event_handler("regional_tax", "bill_paid")
    @idempotent
    def on_bill_paid(self, event: dict) -> None:
        bill = self.db.get(KnownBill, event["data"]["bill_id"])
        if bill is None:
            return
        bill.paid_at = datetime.fromisoformat(event["data"]["paid_at"])
        self._cancel_reminders(f"bill:{bill.bill_id}")  # paid: no reminder, no overdue notice
        self._tell_bill(event, "bill_paid", bill)

    def _tell_bill(self, event: dict, kind: str, bill: KnownBill) -> None:
        language = domain.settings_of(self.db.get(Recipient, bill.person_id))["language"]
        values = {
            "tax_kind": bill.tax_kind,
            "object": bill.object,
            "district": bill.district,
            "amount": texts.rupiah(bill.amount, language),
            "due_on": bill.due_on,
        }
        self._tell_person(event, kind, bill.person_id, values)

    # --- the gateway's accounts listener -----------------------------------------------

    @event_handler("gateway_accounts", "record_reads_digest")
    @idempotent
    def on_record_reads_digest(self, event: dict) -> None:
        """A week is over: she is told how often her record was read and by whom (role
        and agency), with the link to the page that lists each read."""
        data = event["data"]
        values = {
            "week_start": date.fromisoformat(data["week_start"]),
            "week_last_day": date.fromisoformat(data["week_end"]) - timedelta(days=1),
            "total": data["total"],
            "readers": data["readers"],
            "record_reads_url": self._public_url(RECORD_READS_PATH),
        }
        self._tell_person(
            event, "record_reads", data["person_id"], values, RECORD_READS_PATH, essential=False
        )

    # --- helpers ------------------------------------------------------------------------

    def _remember_application(self, source, application_id, person_id, data) -> None:
        if self.db.get(KnownApplication, (source, application_id)) is None:
            service = data.get("permit_type") or data.get("service")
            self.db.add(
                KnownApplication(
                    source=source,
                    application_id=application_id,
                    person_id=person_id,
                    service=service,
                    service_names=data.get("service_name"),
                )
            )


class ModuleReactions:
    """Every agency module's application events, as they reach the shared
    ``module_applications`` exchange (see ``contracts.modules.APPLICATIONS``): a module
    plugged in later is told with no change here. The envelope's source is the module."""

    @event_handler(modules.APPLICATIONS, "application_submitted")
    @idempotent
    def on_module_application_submitted(self, event: dict) -> None:
        """As a licensing submission: the deciding agency's inbox and the applicant (none
        for a visitor: she follows it with her tracking code)."""
        module, data = event["source"], event["data"]
        if data["applicant_id"] is not None:
            self._remember_application(module, data["application_id"], data["applicant_id"], data)
        due = datetime.fromisoformat(data["due_at"])
        path = f"/modules/{module}/applications/{data['application_id']}"
        service = data.get("service_name") or data["service"]
        if data.get("agency"):
            values = {"permit_type": service, "agency": data["agency"], "due": due}
            self._tell_agency(
                event, "application_assigned", data["agency"], values, f"/office{path}"
            )
        values = {
            "permit_type": service,
            "agency": data.get("agency") or module,
            "due": due,
        }
        if data["applicant_id"] is not None:
            self._tell_person(event, "application_submitted", data["applicant_id"], values, path)

    @event_handler(modules.APPLICATIONS, "application_overdue")
    @idempotent
    def on_module_application_overdue(self, event: dict) -> None:
        module, data = event["source"], event["data"]
        known = self.db.get(KnownApplication, (module, data["application_id"]))
        name = (known.service_names or known.service) if known else data["service"]
        values = {"application": name, "due": datetime.fromisoformat(data["due_at"])}
        link = f"/office/modules/{module}/applications/{data['application_id']}"
        self._tell_agency(event, "application_overdue", data["agency"], values, link)

    @event_handler(modules.APPLICATIONS, "application_escalated")
    @idempotent
    def on_module_application_escalated(self, event: dict) -> None:
        """A step still undone after its agency was told: the mall's managers are told."""
        module, data = event["source"], event["data"]
        known = self.db.get(KnownApplication, (module, data["application_id"]))
        name = (known.service_names or known.service) if known else data["service"]
        values = {
            "application": name,
            "due": datetime.fromisoformat(data["due_at"]),
            "agency": data["agency"] or "-",
        }
        link = f"/office/modules/{module}/applications/{data['application_id']}"
        self._tell_agency(event, "application_escalated", data["told"], values, link)

    @event_handler(modules.APPLICATIONS, "application_status_changed")
    @idempotent
    def on_module_application_status_changed(self, event: dict) -> None:
        """Every step the applicant known from the submission did not take herself is told
        to her (a decision as ``module_decision``), with the state's name and the note;
        the agency that owes the next step is told in its inbox, unless the step was its
        own (``domain.applicant_told_of_step``, ``domain.agency_told_of_step``)."""
        module, data = event["source"], event["data"]
        known = self.db.get(KnownApplication, (module, data["application_id"]))
        path = f"/modules/{module}/applications/{data['application_id']}"
        service = (known.service_names if known else None) or data.get("service") or module
        by_mall = domain.step_by_mall(data)
        values = {
            "service": service,
            "status": data["status"],
            "status_name": data.get("status_name"),
            "note": "" if by_mall else data.get("reason") or "",  # the mall's is no text
        }
        if known is not None and domain.applicant_told_of_step(data):
            if data["status"] in domain.MODULE_DECISIONS:
                decision = {
                    "approved": data["status"] == "approved",
                    "service": service,
                    "note": data.get("reason") or "",
                }
                self._tell_person(event, "module_decision", known.person_id, decision, path)
            else:
                mine = {**values, "by_mall": by_mall}
                self._tell_person(event, "module_step", known.person_id, mine, path)
        if agency := domain.agency_told_of_step(data):
            self._tell_agency(event, "module_step_awaited", agency, values, f"/office{path}")
