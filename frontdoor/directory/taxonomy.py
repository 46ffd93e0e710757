"""The starting taxonomies. They are data: curators rename, add and reorder them in the admin;
this seed only adds terms that are missing (by slug)."""

from django.apps import apps as installed_apps
from django.db.models import Q

SECTORS = [
    ("Artificial intelligence", "ai", "Machine learning, AI products and AI assurance."),
    ("Data science", "data-science", "Analytics, data engineering and data services."),
    ("Smart city", "smart-city", "Technology and data for running and living in cities."),
    ("Robotics and autonomy", "robotics", "Robots, drones and autonomous systems."),
    ("Advanced communications", "advanced-communications", "5G, radio and networks."),
    ("Mobility and transport", "mobility", "Connected and autonomous vehicles, travel apps."),
    ("Fintech", "fintech", "Financial services technology."),
    ("Health tech", "health", "Digital health, medtech and care technology."),
    ("Creative, film, media and design", "creative", "Screen, media, design and digital arts."),
    ("Games", "games", "Video games and interactive entertainment."),
    ("Cyber security", "cyber", "Security products, services and research."),
    ("Clean tech", "cleantech", "Net zero, energy and environmental technology."),
    ("Software and SaaS", "software", "Software products and development services."),
    ("Education technology", "edtech", "Technology for teaching, learning and skills."),
    (
        "Advanced engineering",
        "engineering",
        "Motorsport, aerospace and precision engineering.",
    ),
]
STAGES = [
    ("Idea", "idea", "Exploring an idea; not yet trading."),
    ("Pre-seed", "pre-seed", "Building a first product, funded by founders, friends or grants."),
    ("Seed", "seed", "First outside investment; finding product-market fit."),
    ("Early growth", "early-growth", "Proven product, growing revenue (often Series A)."),
    ("Scale-up", "scale-up", "Growing fast: 20% a year or more in people or turnover."),
    ("Established", "established", "Mature, steady business."),
]
ROLES = [
    ("Ambassador", "ambassador", "Speaks for the region's tech scene, at home and abroad."),
    ("Mentor", "mentor", "Offers time and advice to founders and people starting out."),
    ("Speaker", "speaker", "Gives talks at events."),
    ("Investor", "investor", "Invests in local start-ups."),
]

STARTING_TERMS = {"Sector": SECTORS, "Stage": STAGES, "Role": ROLES}


def taxonomy_seed(apps=installed_apps):
    """Add any missing starting term; `apps` is a migration's app registry or the live one.
    A term a curator renamed is still there: one with the starting slug or name counts."""
    for model_name, rows in STARTING_TERMS.items():
        model = apps.get_model("directory", model_name)
        for position, (name, slug, description) in enumerate(rows):
            if not model.objects.filter(Q(slug=slug) | Q(name=name)).exists():
                model.objects.create(
                    name=name, slug=slug, description=description, position=position
                )


def by_starting_slug(model_name):
    """Every term of a taxonomy by slug, and a renamed starting term by its starting slug."""
    model = installed_apps.get_model("directory", model_name)
    terms = {term.slug: term for term in model.objects.all()}
    by_name = {term.name: term for term in terms.values()}
    for name, slug, _ in STARTING_TERMS[model_name]:
        if slug not in terms and name in by_name:
            terms[slug] = by_name[name]
    return terms
