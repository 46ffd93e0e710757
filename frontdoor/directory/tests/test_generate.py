import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from frontdoor.directory.models import Organisation, Sector

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Standard error as a terminal, where a progress bar is drawn."""

    def isatty(self):
        return True


def test_generate_adds_labelled_synthetic_records_in_batches():
    err = Terminal()
    call_command(
        "generate", organisations=2_500, batch_size=1_000, seed=1, stdout=io.StringIO(), stderr=err
    )
    synthetic = Organisation.objects.filter(source="synthetic")
    assert synthetic.count() == 2_500
    assert "2.50k/2.50k" in err.getvalue()  # the progress bar reached the end
    assert all(
        "synthetic" in name.lower() for name in synthetic.values_list("name", flat=True)[:50]
    )
    # Every one has 1 to 3 sectors.
    through = Organisation.sectors.through
    assert through.objects.count() >= 2_500
    assert Organisation.objects.published().filter(sectors__isnull=True).count() == 0


def test_generate_continues_numbering_when_run_again():
    call_command("generate", organisations=10, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("generate", organisations=5, stdout=io.StringIO(), stderr=io.StringIO())
    ids = sorted(Organisation.objects.values_list("source_id", flat=True))
    assert ids[0] == "00000001" and ids[-1] == "00000015" and len(set(ids)) == 15


def test_generate_refuses_nonsense():
    with pytest.raises(CommandError):
        call_command("generate", organisations=0)


def test_generate_links_as_many_sectors_as_there_are():
    Sector.objects.exclude(slug__in=["ai", "fintech"]).delete()
    call_command("generate", organisations=50, seed=1, stdout=io.StringIO(), stderr=io.StringIO())
    synthetic = Organisation.objects.filter(source="synthetic")
    assert synthetic.count() == 50
    assert synthetic.filter(sectors__isnull=True).count() == 0
    assert set(synthetic.values_list("sectors__slug", flat=True)) == {"ai", "fintech"}


def test_generate_without_sectors_makes_organisations_without_them():
    Sector.objects.all().delete()
    call_command("generate", organisations=5, seed=1, stdout=io.StringIO(), stderr=io.StringIO())
    assert Organisation.objects.filter(source="synthetic").count() == 5
    assert not Organisation.sectors.through.objects.exists()


def test_the_progress_bar_stays_off_a_file_a_pipe_or_cron_and_with_v0():
    for err, verbosity in [(io.StringIO(), 1), (Terminal(), 0)]:
        call_command("generate", organisations=20, verbosity=verbosity, stderr=err)
        assert err.getvalue() == ""


def test_generate_asks_how_many_and_on_a_live_site_for_yes():
    with pytest.raises(CommandError, match="--organisations"):
        call_command("generate")
    with override_settings(PRODUCTION=True):
        with pytest.raises(CommandError, match="live site"):
            call_command("generate", organisations=5)
        assert not Organisation.objects.filter(source="synthetic").exists()
        call_command("generate", organisations=5, yes=True, stdout=io.StringIO())
    assert Organisation.objects.filter(source="synthetic").count() == 5
