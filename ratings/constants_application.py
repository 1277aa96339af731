"""Choices of the application fields a reviewer needs to judge need: the product's FDA regulatory
status. Kept beside ratings/constants.py, which holds the rest of the rule's texts and choices."""

from django.db import models


class FdaStatus(models.TextChoices):
    """What FDA has approved, cleared, authorized or listed for the health resource."""

    BLA = "bla", "Biologics license (BLA)"
    EUA = "eua", "Emergency use authorization (EUA)"
    NDA = "nda", "New drug application (NDA)"
    ANDA = "anda", "Abbreviated new drug application (ANDA)"
    K510 = "510k", "Premarket notification (510(k))"
    PMA = "pma", "Premarket approval (PMA)"
    DE_NOVO = "de_novo", "De Novo classification"
    NDC_LISTED = "ndc_listed", "Listed drug (NDC)"
    NOT_REGULATED = "not_regulated", "Not itself an FDA-regulated product (e.g. a component or raw material)"
    OTHER = "other", "Other (describe)"


# Statuses that come with an application, approval or listing number the reviewer can look up.
FDA_STATUSES_WITH_NUMBER = frozenset(
    {
        FdaStatus.BLA,
        FdaStatus.EUA,
        FdaStatus.NDA,
        FdaStatus.ANDA,
        FdaStatus.K510,
        FdaStatus.PMA,
        FdaStatus.DE_NOVO,
        FdaStatus.NDC_LISTED,
    }
)
