"""The starting taxonomies. They are data: curators rename, add and reorder them in the admin;
this seed only adds terms that are missing (by slug)."""

from django.apps import apps as installed_apps

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


def taxonomy_seed(apps=installed_apps):
    """Add any missing starting term; `apps` is a migration's app registry or the live one."""
    for model_name, rows in (("Sector", SECTORS), ("Stage", STAGES), ("Role", ROLES)):
        model = apps.get_model("directory", model_name)
        for position, (name, slug, description) in enumerate(rows):
            model.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description, "position": position}
            )
