"""What the database knows about the insights data: the Companies House snapshots on disk,
and the areas, sector definitions and code recodes the figures are computed for (all data,
seeded from frontdoor/insights/data/*.csv and editable by curators in the admin)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

LAD_CODE = re.compile(r"^[EWSN][0-9]{8}$")
# The codes a postcode maps to: local authority districts (unitary, non-metropolitan,
# metropolitan, London borough; Welsh, Scottish and Northern Irish councils). A combined
# authority (E47) or a county (E10) matches no postcode.
DISTRICT_CODE = re.compile(r"^(E0[6-9]|W06|S12|N09)[0-9]{6}$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class SnapshotQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-month")


class Snapshot(models.Model):
    """One monthly Companies House bulk file, stored as Parquet under DATA_DIR/insights/."""

    month = models.DateField(unique=True, help_text="The first day of the file's month.")
    rows = models.PositiveIntegerField(help_text="Rows read, bad rows included.")
    bad_rows = models.PositiveIntegerField(default=0)
    located_rows = models.PositiveIntegerField(
        default=0, help_text="Rows whose postcode was found in the postcode directory."
    )
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the stored Parquet file.")
    filename = models.CharField(max_length=100, help_text="The Parquet file in DATA_DIR/insights.")
    source_name = models.CharField(max_length=300, help_text="The file it was imported from.")
    postcode_source = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Companies House {self.month:%B %Y}"

    @property
    def postcodes_filename(self):
        """Where the snapshot's distinct postcodes and their local authorities are kept."""
        return self.filename.replace(".parquet", ".postcodes.parquet")

    @property
    def bad_rows_filename(self):
        return f"companies-{self.month:%Y-%m}-bad-rows.csv"


class SectorDefinition(models.Model):
    """A named, versioned list of SIC codes (DCMS digital, creative, or a custom one)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    version = models.CharField(max_length=20, help_text="Label every figure with this.")
    source = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return f"{self.name}, version {self.version}"

    def code_table(self):
        """{five-digit SIC code: sub-sector} for the figures (from prefetched codes, if any)."""
        return {c.code: c.subsector for c in self.codes.all()}


class SectorCode(models.Model):
    """One five-digit Companies House SIC code in a definition, with its sub-sector."""

    definition = models.ForeignKey(SectorDefinition, on_delete=models.CASCADE, related_name="codes")
    sic_class = models.CharField(max_length=5, help_text="The SIC 2007 class, e.g. 62.01.")
    code = models.CharField(max_length=5, help_text="The five-digit code, e.g. 62012.")
    subsector = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="insights_code_once"),
        ]

    def __str__(self):
        return f"{self.code} ({self.subsector})"

    def clean(self):
        super().clean()
        if not re.fullmatch(r"[0-9]{5}", self.code or ""):
            raise ValidationError({"code": "Give the five-digit code, e.g. 62012."})


class Area(models.Model):
    """A place the figures describe: local authorities, a group of them, or postcode districts."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local-authority", "Local authority"
        GROUP = "group", "Group of local authorities"
        POSTCODE_DISTRICTS = "postcode-districts", "Postcode districts"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    codes = models.TextField(
        help_text="ONS local authority codes (E08000025 ...) or postcode districts (MK9 ...), "
        "separated by spaces."
    )
    description = models.CharField(max_length=300, blank=True)
    peers = models.ManyToManyField("self", symmetrical=False, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("insights:area", args=[self.slug])

    @property
    def code_list(self):
        return sorted(set(self.codes.upper().split()))

    @property
    def by_district(self):
        return self.kind == self.Kind.POSTCODE_DISTRICTS

    def clean(self):
        super().clean()
        if self.by_district:
            bad = [c for c in self.code_list if not DISTRICT.match(c)]
            advice = "Give postcode districts such as MK9"
        else:
            bad = [c for c in self.code_list if not DISTRICT_CODE.match(c)]
            advice = (
                "Give local authority district codes (E06, E07, E08, E09, W06, S12 or N09 and "
                "six digits, e.g. E08000025). Postcodes map to districts only: give a combined "
                "authority or a county as its districts"
            )
        if not self.code_list or bad:
            raise ValidationError({"codes": f"{advice}; not valid: {' '.join(bad) or 'none'}."})


class Recode(models.Model):
    """An old ONS area code and the code that replaced it (boundary changes)."""

    old_code = models.CharField(max_length=9, unique=True)
    new_code = models.CharField(max_length=9)
    effective = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["old_code"]

    def __str__(self):
        return f"{self.old_code} → {self.new_code}"

    def clean(self):
        super().clean()
        for field in ("old_code", "new_code"):
            if not LAD_CODE.match(getattr(self, field) or ""):
                raise ValidationError({field: "An ONS code such as E08000039."})
        if self.old_code == self.new_code:
            raise ValidationError("The new code must differ from the old one.")
