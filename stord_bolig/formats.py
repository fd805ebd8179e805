"""Numbers and amounts written the Norwegian way, for pages, letters and messages alike."""


def nok(value):
    """Whole numbers with a space between thousands, the Norwegian way: 11200 -> "11 200" (anything that is
    not an integer, such as a share of 12.5 or 20.0, is left as it is)."""
    if isinstance(value, bool | float):  # a share such as 20.0 stays a share, localised as the page does
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"{number:,}".replace(",", "\u00a0")


def kr(value):
    """An amount for the screen: "kr 11 200" (rounded to whole kroner, never broken across lines); "–" if none."""
    if value is None or value == "":
        return "–"
    try:
        number = round(value)
    except (TypeError, ValueError):
        return value
    return f"kr\u00a0{nok(number)}"
