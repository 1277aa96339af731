"""The rating authorization: what HHS's approval gives the applicant (45 CFR 101.32(a)(3)).

Approval does not place rated orders: it authorizes the applicant (the authorized party) to
place them, with the suppliers, items, quantities and delivery windows listed, at one rating,
for a period. The authorized party's authorized signers then place and sign each order
(services.orders.placing). The authorization is signed by the approving official and gets its
own PAdES-sealed document and public verification page, like an order version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ratings.constants import GenerationStatus, RatingLevel
from ratings.constants_authorization import AuthorizationChange, AuthorizationStatus
from ratings.models.requests import private_storage


def authorization_document_path(instance: RatingAuthorization, filename: str) -> str:
    return f"authorizations/{instance.number}/v{instance.version}-authorization.pdf"


class RatingAuthorization(models.Model):
    number = models.CharField(max_length=24, unique=True, editable=False, help_text="e.g. RA-2026-00012; never reused.")
    rating_request = models.OneToOneField(
        "ratings.RatingRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorization",
        help_text="Approved request; empty when HHS itself is the customer.",
    )
    # Where HHS itself is the customer (an ASPR/BARDA contract), HHS's own contract is the rated
    # order and the program determination is the basis: there is no applicant request.
    hhs_contract = models.CharField(
        max_length=60,
        blank=True,
        help_text="HHS's own contract number when HHS is the customer; empty for an approved request.",
    )
    authorized_party = models.ForeignKey(
        "ratings.Organization",
        on_delete=models.PROTECT,
        related_name="rating_authorizations",
        help_text="The organization authorized to place the rated orders (the applicant).",
    )
    level = models.CharField(max_length=2, choices=RatingLevel.choices)
    program = models.ForeignKey("ratings.Program", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=16, help_text="Level and program symbol, e.g. DO-HR.")
    emergency_response_hours = models.PositiveIntegerField(
        null=True, blank=True, help_text="Emergency orders: hours the supplier has to accept or reject."
    )
    items_snapshot = models.JSONField(
        help_text="The authorized items: supplier, description, quantity, unit, ship-to and delivery window."
    )
    valid_from = models.DateField()
    valid_until = models.DateField(help_text="Last day an order may be placed under it.")
    conditions = models.TextField()
    legal_basis = models.TextField(help_text="The approving official's delegation and the program determination.")
    status = models.CharField(max_length=10, choices=AuthorizationStatus.choices, default=AuthorizationStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change; detects concurrent edits.")
    # The approving official's signature (21 CFR 11.50, 11.70).
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    title = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(help_text="UTC.")
    meaning = models.CharField(max_length=120)
    delegation = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical content signed and printed.")
    # What this version changed and why (HHS's revocation, upgrade or amendment; printed on it).
    change = models.CharField(max_length=10, choices=AuthorizationChange.choices, default=AuthorizationChange.ORIGINAL)
    change_reason = models.TextField(blank=True)
    changes = models.JSONField(default=list, blank=True, help_text="[{what, before, after}] of this version.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The document (rendered and PAdES-sealed after commit, like an order version's).
    generation_status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    generation_error = models.TextField(blank=True)
    generation_attempts = models.PositiveIntegerField(default=0)
    document = models.FileField(
        upload_to=authorization_document_path, storage=private_storage, max_length=300, blank=True
    )
    document_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored (sealed) file.")
    unsigned_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the unsigned rendering.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="authorization_valid_period"
            ),
            # Exactly one basis: an approved request, or HHS's own contract.
            models.CheckConstraint(
                condition=(models.Q(rating_request__isnull=False) & models.Q(hhs_contract=""))
                | (models.Q(rating_request__isnull=True) & ~models.Q(hhs_contract="")),
                name="authorization_one_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.rating})"

    @property
    def is_hhs_customer(self) -> bool:
        """HHS itself is the customer: HHS's authorized signer places the orders."""
        return self.rating_request_id is None

    @property
    def basis_reference(self) -> str:
        """What the authorization rests on, as printed: the request or HHS's contract."""
        if self.rating_request_id is None:
            return f"HHS contract {self.hhs_contract}"
        return self.rating_request.reference  # type: ignore[union-attr]

    def supplier_ids(self) -> list[int]:
        """The suppliers authorized, in the order of the items."""
        return list(dict.fromkeys(item["supplier_id"] for item in self.items_snapshot))

    def supplier_names(self) -> list[str]:
        """Their names as the authorization prints them, in the same order."""
        return list(dict.fromkeys(item["supplier"] for item in self.items_snapshot))

    def items_for(self, supplier_id: int) -> list[dict[str, object]]:
        return [item for item in self.items_snapshot if item["supplier_id"] == supplier_id]


class RatingAuthorizationVersion(models.Model):
    """A superseded version of an authorization, kept as it was signed: its content fingerprint
    and its sealed document (stored per version, never overwritten), so an earlier copy still
    verifies as genuine and says it was superseded."""

    authorization = models.ForeignKey(RatingAuthorization, on_delete=models.PROTECT, related_name="prior_versions")
    number = models.PositiveIntegerField()
    rating = models.CharField(max_length=16)
    status = models.CharField(max_length=10, choices=AuthorizationStatus.choices)
    valid_until = models.DateField()
    conditions = models.TextField()
    change = models.CharField(max_length=10, choices=AuthorizationChange.choices)
    change_reason = models.TextField(blank=True)
    changes = models.JSONField(default=list, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=120)
    fingerprint = models.CharField(max_length=64)
    document = models.CharField(max_length=300, blank=True, help_text="Stored name of the sealed file, if generated.")
    document_sha256 = models.CharField(max_length=64, blank=True)
    superseded_at = models.DateTimeField()

    class Meta:
        ordering = ["authorization", "number"]
        constraints = [
            models.UniqueConstraint(fields=["authorization", "number"], name="authorization_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.authorization.number} v{self.number}"
