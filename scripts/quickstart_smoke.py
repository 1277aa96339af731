# Run by scripts/quickstart_smoke.sh inside `manage.py shell`: one request, draft to decision.
import datetime as dt

from django.utils import timezone

from ratings.constants import REVIEW_CHECKLIST, RequestState
from ratings.demo.accounts import DEMO_PASSWORD
from ratings.models import Organization, Program, User
from ratings.services.requests import drafts, workflow

users = {u.username: u for u in User.objects.all()}
acme = Organization.objects.get(short_name="Acme")
filtra = Organization.objects.get(short_name="Filtra")
rr = drafts.rating_request_create(
    actor=users["applicant"],
    organization=acme,
    details=drafts.RequestDetails(
        government_program="Smoke test program",
        category="vaccine",
        health_resource="Vaccine",
        requested_level="DO",
        program_id=Program.objects.get(symbol="HR").pk,
        justification_need="n",
        justification_efforts="e",
        justification_impact="i",
    ),
    line_items=[
        drafts.LineItemInput(
            supplier_id=filtra.pk,
            po_number="SMOKE-1",
            description="Skid",
            quantity="1",
            unit="each",
            deliveries=[drafts.DeliveryInput(timezone.localdate() + dt.timedelta(days=40))],
        )
    ],
)
rr = workflow.rating_request_submit(
    rating_request=rr,
    actor=users["applicant"],
    attestation=workflow.Attestation(users["applicant"].printed_name, True),
)
rr = workflow.rating_request_accept_for_review(rating_request=rr, actor=users["intake"], reviewer=users["reviewer"])
rr = workflow.rating_request_recommend(
    rating_request=rr,
    actor=users["reviewer"],
    outcome="approve",
    rationale="ok",
    checklist={k: True for k in REVIEW_CHECKLIST},
)
rr = workflow.rating_request_approve(rating_request=rr, actor=users["approver"], password=DEMO_PASSWORD, reason="ok")
assert rr.state not in {RequestState.DRAFT, RequestState.RECOMMENDED}, rr.state
print(f"smoke: {rr.reference} reached {rr.state}")

# Rated orders (issue 3): approval issued a signed order; every demo order version has its document.
from ratings.constants import GenerationStatus, OrderStatus  # noqa: E402
from ratings.models import RatedOrder, RatedOrderVersion  # noqa: E402

assert rr.state == RequestState.ISSUED, rr.state
statuses = sorted(RatedOrder.objects.values_list("status", flat=True))
assert statuses.count(OrderStatus.CANCELLED) == 1 and statuses.count(OrderStatus.AMENDED) == 1, statuses
assert RatedOrder.objects.filter(level="DX").count() == 1
missing = RatedOrderVersion.objects.exclude(generation_status=GenerationStatus.GENERATED).count()
assert missing == 0, f"{missing} order versions without a signed document"
print(f"smoke: {RatedOrder.objects.count()} rated orders, {RatedOrderVersion.objects.count()} signed documents")
