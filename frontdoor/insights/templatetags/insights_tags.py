from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (tables are looked up by name)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def percent(value):
    return "" if value is None else f"{value:.1%}"


@register.filter
def quotient(value):
    return "" if value is None else f"{value:.2f}"
