# Run by scripts/quickstart_smoke.sh inside `manage.py shell` after `make quickstart`: seed again,
# one request from draft to its authorization and the order placed under it, every document's link,
# then the audit chain.
import datetime as dt
import io

import pypdf
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from ratings.constants import REVIEW_CHECKLIST, DocumentKind, GenerationStatus, OrderStatus, RequestState
from ratings.demo.accounts import DEMO_PASSWORD, demo_code
from ratings.models import Document, Organization, Program, RatedOrder, RatedOrderVersion, RatingAuthorization, User
from ratings.services.items import DeliveryInput
from ratings.services.orders import placing
from ratings.services.requests import drafts, workflow

call_command("seed_demo", stdout=io.StringIO())  # a second run changes nothing and fails nothing

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
        end_use="Smoke test doses",
        fda_status="bla",
        fda_number="BLA 125999",
    ),
    line_items=[
        drafts.LineItemInput(
            supplier_id=filtra.pk,
            po_number="SMOKE-1",
            description="Skid",
            quantity="1",
            unit="each",
            deliveries=[DeliveryInput(timezone.localdate() + dt.timedelta(days=40))],
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
rr = workflow.rating_request_approve(
    rating_request=rr,
    actor=users["approver"],
    password=DEMO_PASSWORD,
    otp=demo_code(users["approver"]),  # the second factor of the signature: the demo's shared app
    reason="ok",
)
assert rr.state not in {RequestState.DRAFT, RequestState.RECOMMENDED}, rr.state
print(f"smoke: {rr.reference} reached {rr.state}")

# Approval signed the rating authorization; Acme's authorized signer places and signs the order.
assert rr.state == RequestState.ISSUED, rr.state
authorization = RatingAuthorization.objects.get(rating_request=rr)
po, items = placing.placement_defaults(authorization, filtra.pk)
placed = placing.rated_order_place(
    authorization=authorization,
    actor=users["signer"],
    supplier_id=filtra.pk,
    po_number=po,
    items=items,
    password=DEMO_PASSWORD,
)
assert placed.versions.get().signatures.get().signer == users["signer"]
print(f"smoke: {users['signer'].username} placed {placed.order_number} under {authorization.number}")
# Every authorization (the demo's and this one) has its sealed document printing its verification URL.
for each in RatingAuthorization.objects.all():
    assert each.generation_status == GenerationStatus.GENERATED, each.number
    with each.document.open("rb") as handle:
        pages = pypdf.PdfReader(io.BytesIO(handle.read())).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    url = f"{settings.SITE_URL}/verify/authorization/{each.number}/{each.fingerprint}/"
    assert url in text, f"{each.number} does not print {url}"
print(f"smoke: {RatingAuthorization.objects.count()} authorizations print {settings.SITE_URL}/verify/authorization/...")
statuses = sorted(RatedOrder.objects.values_list("status", flat=True))
assert statuses.count(OrderStatus.CANCELLED) == 1 and statuses.count(OrderStatus.AMENDED) == 1, statuses
assert RatedOrder.objects.filter(level="DX").exists()  # the DX order of the demo (and of its history)
# The program view's year of history is written straight to the tables (order numbers with "-H"):
# its versions carry no documents by design.
live_versions = RatedOrderVersion.objects.exclude(order__order_number__contains="-H")
missing = live_versions.exclude(generation_status=GenerationStatus.GENERATED).count()
assert missing == 0, f"{missing} order versions without a signed document"
print(f"smoke: {RatedOrder.objects.count()} rated orders, {RatedOrderVersion.objects.count()} signed documents")

# Each document prints its verification URL (also its QR code's target) under SITE_URL: the
# seeded ones were written by `make quickstart PORT=8123`, so this proves the port reached them.
for document in Document.objects.select_related("version__order"):
    with document.file.open("rb") as handle:
        pages = pypdf.PdfReader(io.BytesIO(handle.read())).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    version = document.version
    url = f"{settings.SITE_URL}/verify/{version.order.order_number}/{version.fingerprint}/"
    assert url in text, f"{document.file.name} does not print {url}"
    # Every demo order is signed under a recorded delegation; the program determination is
    # printed beside the rating symbol, which a cancellation notice no longer carries.
    if document.kind != DocumentKind.CANCELLATION:
        assert "Program determination: Program " in text, f"{document.file.name} prints no program determination"
    assert "Authority: Verify this document" not in text, f"{document.file.name} prints a blank delegation"
print(f"smoke: {Document.objects.count()} order documents print {settings.SITE_URL}/verify/...")

call_command("audit_checkpoint")
call_command("audit_verify")
