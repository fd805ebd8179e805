from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}` for dicts keyed by ids or years."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
