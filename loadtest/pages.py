"""Read forms and marked elements out of the app's HTML, as a browser would: no knowledge of the views.

A simulated caseworker submits what the page offers (every field with its current value, the CSRF token
included) and changes only what a person would type or choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)

    def data(self, button: str | None = None, **changes: str) -> dict[str, str]:
        """What the browser sends: current values, the changes, and the pressed button's name and value."""
        data = {**self.fields, **changes}
        if button is not None:
            data[button] = self.buttons.get(button, "")
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self.by_testid: dict[str, list[str]] = {}
        self._testid_stack: list[tuple[str, str, list[str]]] = []
        self.links: list[tuple[str, dict[str, str]]] = []
        self.hints: dict[str, list[str]] = {}
        self._hint: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attr = {k: (v if v is not None else "") for k, v in attrs}
        if "data-testid" in attr:
            self._testid_stack.append((tag, attr["data-testid"], []))
        if tag == "a" and "href" in attr:
            self.links.append((attr["href"], attr))
        if attr.get("id", "").endswith("_helptext"):
            self._hint = (tag, attr["id"])
            self.hints[attr["id"]] = []
        if tag == "form":
            self._form = Form(action=attr.get("action", ""), method=attr.get("method", "get").lower())
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attr.get("name")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if kind == "radio":
                    self._form.radios.setdefault(name, []).append(attr.get("value", "on"))
                if "checked" in attr:
                    self._form.fields[name] = attr.get("value", "on")
            elif kind in ("submit", "button", "image"):
                self._form.buttons[name] = attr.get("value", "")
            elif kind != "file":
                self._form.fields[name] = attr.get("value", "")
        elif tag == "button" and name:
            self._form.buttons[name] = attr.get("value", "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
            self._form.options[name] = []
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            self._form.options[self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if "selected" in attr:
                self._form.fields[self._select] = value
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if self._testid_stack and self._testid_stack[-1][0] == tag:
            _tag, testid, parts = self._testid_stack.pop()
            self.by_testid.setdefault(testid, []).append(" ".join("".join(parts).split()))
        if tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form.fields[self._select] = self._select_first
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.fields[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None
        if self._hint and tag == self._hint[0]:
            self._hint = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)
        for _tag, _testid, parts in self._testid_stack:
            parts.append(data)
        if self._hint:
            self.hints[self._hint[1]].append(data)


@dataclass
class Page:
    forms: list[Form]
    testids: dict[str, list[str]]
    links: list[tuple[str, dict[str, str]]]
    hints: dict[str, str]

    def form_with(self, field_name: str) -> Form | None:
        """The first POST form holding a field (or button) of that name."""
        for form in self.forms:
            if form.method == "post" and (field_name in form.fields or field_name in form.buttons):
                return form
        return None

    def has(self, testid: str) -> bool:
        return testid in self.testids

    def text(self, testid: str) -> str:
        return (self.testids.get(testid) or [""])[0]

    def link(self, testid: str) -> str | None:
        for href, attrs in self.links:
            if attrs.get("data-testid") == testid:
                return href
        return None


LETTER_LINK = re.compile(r'href="(/letters/\d+/)"')


def parse(html: str) -> Page:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    hints = {key: " ".join("".join(parts).split()) for key, parts in parser.hints.items()}
    return Page(forms=parser.forms, testids=parser.by_testid, links=parser.links, hints=hints)


def letter_links(html: str) -> list[str]:
    """Links to rendered letters (a letter still queued shows its title without a link)."""
    return LETTER_LINK.findall(html)
