from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from ratings import permissions
from ratings.constants import OrganizationKind, RatingLevel, Role


class User(AbstractUser):
    title = models.CharField(max_length=150, blank=True, help_text="Official title, printed with signatures.")

    class Meta:
        verbose_name = "user"

    def __str__(self) -> str:
        # Staff pick reviewers and read timelines by name, not by login.
        full_name = self.get_full_name()
        return f"{full_name} ({self.username})" if full_name else self.username

    @property
    def printed_name(self) -> str:
        return self.get_full_name() or self.get_username()

    def audit_roles(self) -> list[str]:
        """Snapshot of the roles in effect for audit events: 'role@organization'.

        The same memberships the permission check just used (cached per request), so an
        event records the roles that authorized it without querying them again."""
        return [
            f"{m.role}@{m.organization.short_name or m.organization_id}" for m in permissions.active_memberships(self)
        ]


class Organization(models.Model):
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    legal_name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=40, blank=True, help_text="Short name shown in lists and audit snapshots.")
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 alpha-2 code.")
    manufacturing_country = models.CharField(
        "country of manufacturing site",
        max_length=2,
        blank=True,
        help_text="Suppliers (required): ISO 3166 alpha-2 code of the site that makes the rated items. "
        "Concentration by country is measured on it.",
    )
    uei = models.CharField("UEI", max_length=12, blank=True, help_text="SAM.gov Unique Entity Identifier.")
    cage_code = models.CharField("CAGE code", max_length=5, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    require_mfa = models.BooleanField(
        "require a second factor",
        default=False,
        help_text="Its people must sign in with a second factor (HHS staff and auditors always do).",
    )

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(fields=["uei"], condition=~models.Q(uei=""), name="organization_uei_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganizationKind.SUPPLIER) | ~models.Q(manufacturing_country=""),
                name="supplier_has_manufacturing_country",
                violation_error_message="A supplier needs the country of its manufacturing site.",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def address_text(self) -> str:
        parts = [
            self.address_line1,
            self.address_line2,
            " ".join(p for p in (self.city, self.state, self.postal_code) if p),
            self.country,
        ]
        return ", ".join(p for p in parts if p)


class Membership(models.Model):
    """A user's role in an organization. HHS roles sit on the agency organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    approval_level = models.CharField(
        max_length=2,
        choices=RatingLevel.choices,
        blank=True,
        help_text="Approving officials only: the highest rating they may approve (DO: ASPR delegate; DX: Secretary level).",
    )
    delegation = models.CharField(
        max_length=300,
        blank=True,
        help_text="Authority under which an approving official or an authorized signer signs, printed with the signature.",
    )
    delegated_on = models.DateField(
        null=True,
        blank=True,
        help_text="Authorized signers only: the date of the delegation to sign rated orders for the organization.",
    )
    is_active = models.BooleanField(default=True)
    manages_contacts = models.BooleanField(
        default=False,
        help_text="Supplier contacts only: the supplier's contact administrator, who invites colleagues.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=(models.Q(role=Role.APPROVING_OFFICIAL) & ~models.Q(approval_level=""))
                | (~models.Q(role=Role.APPROVING_OFFICIAL) & models.Q(approval_level="")),
                name="membership_approval_level_only_for_officials",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.AUTHORIZED_SIGNER)
                | (~models.Q(delegation="") & models.Q(delegated_on__isnull=False)),
                name="membership_signer_has_delegation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"


class Program(models.Model):
    """A program identification symbol (e.g. HR). Data, not code: the 2024 symbols are unconfirmed."""

    symbol = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    allowed_levels = models.JSONField(default=list, help_text='Rating levels allowed, e.g. ["DO", "DX"].')
    # The program determination behind the symbol: who determined it, when, under what, for what.
    # Printed where documents explain the symbol; orders are signed only under a complete one.
    determination_date = models.DateField(null=True, blank=True, help_text="Date of the program determination.")
    determination_official = models.CharField(
        max_length=200, blank=True, help_text="Who made the determination: name and title."
    )
    determination_citation = models.CharField(
        max_length=200, blank=True, help_text="Where it is recorded or the authority it rests on, e.g. a memorandum."
    )
    determination_scope = models.TextField(blank=True, help_text="What the program covers.")
    capacity_report_days = models.PositiveIntegerField(
        "capacity reports every (days)",
        null=True,
        blank=True,
        help_text="Suppliers holding its open rated orders report capacity and lead time per item family this "
        "often; empty: not asked.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["symbol"]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.name}"

    def allows(self, level: str) -> bool:
        return level in (self.allowed_levels or [])

    @property
    def has_determination(self) -> bool:
        return bool(
            self.determination_date
            and self.determination_official.strip()
            and self.determination_citation.strip()
            and self.determination_scope.strip()
        )

    def determination_text(self) -> str:
        """The determination record in one sentence, as documents print it; "" while incomplete."""
        if not self.has_determination:
            return ""
        assert self.determination_date is not None
        return (
            f"Program {self.symbol} ({self.name}): determined by {self.determination_official.strip()} on "
            f"{self.determination_date.isoformat()} ({self.determination_citation.strip()}). "
            f"Scope: {self.determination_scope.strip()}"
        )
